"""A short-lived, per-process cache of resolved API tokens (saves a query per API request)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from cachetools import TTLCache

# How long another process may keep honouring a token revoked elsewhere, or a deactivated
# user; revocation through this process takes effect at once.
TOKEN_CACHE_SECONDS = 30.0


@dataclass(frozen=True)
class TokenIdentity:
    """What a valid bearer token resolved to."""

    token_id: int
    expires_at: datetime | None
    user_id: int
    user_active: bool


class TokenCache:
    """Thread-safe map token digest -> identity, entries expire after a few seconds."""

    def __init__(self, ttl_s: float = TOKEN_CACHE_SECONDS, maxsize: int = 50_000) -> None:
        self._entries: TTLCache[str, TokenIdentity] = TTLCache(maxsize=maxsize, ttl=ttl_s)
        self._lock = threading.Lock()

    def get(self, digest: str) -> TokenIdentity | None:
        """The cached identity, if still fresh."""
        with self._lock:
            return self._entries.get(digest)

    def put(self, digest: str, identity: TokenIdentity) -> None:
        """Remember a resolved token."""
        with self._lock:
            self._entries[digest] = identity

    def drop(self, digest: str) -> None:
        """Forget a token (revoked here)."""
        with self._lock:
            self._entries.pop(digest, None)
