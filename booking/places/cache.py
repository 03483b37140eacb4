"""The map's places kept for a few seconds: every visitor sees the same public availability."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from booking.places.rules import Place


@dataclass(frozen=True)
class Built:
    """Places as read once, with their JSON body and its ETag."""

    places: list[Place]
    body: bytes
    etag: str
    at: float


class PlacesCache:
    """Rebuilds at most once per `ttl` seconds (0: on every request); shared by threads."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._built: Built | None = None
        self._lock = threading.Lock()

    def get(self, build: Callable[[], tuple[list[Place], bytes, str]]) -> Built:
        """The places in force, rebuilt by `build` when older than the ttl."""
        # One builder at a time: a burst of visitors costs one read of the database.
        with self._lock:
            now = self.clock()
            built = self._built
            if built is None or now - built.at >= self.ttl:
                places, body, tag = build()
                built = self._built = Built(places, body, tag, now)
            return built
