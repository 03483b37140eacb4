"""Password and token hashing shared by users (web) and chargers (OCPP basic auth)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """Slow salted hash (scrypt) for storage."""
    return generate_password_hash(password, method="scrypt")


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Constant-time check of a password against its stored hash."""
    if not stored_hash:
        return False
    return check_password_hash(stored_hash, password)


def new_token(nbytes: int = 32) -> str:
    """A random URL-safe secret (API tokens, invitations)."""
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: enough for lookup, never reversible."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    """Constant-time string comparison."""
    return hmac.compare_digest(a.encode(), b.encode())
