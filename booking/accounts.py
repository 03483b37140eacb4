"""Account use cases: register, authenticate, change password, API tokens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from booking import rules
from mobility.clock import utcnow
from mobility.db import Database, rowcount
from mobility.errors import Conflict, Unauthorized, ValidationFailed
from mobility.models import ApiToken, User
from mobility.security import hash_password, new_token, token_digest, verify_password

# Verifying against a dummy hash keeps "unknown email" as slow as "wrong password".
_DUMMY_HASH = hash_password("not-a-real-password-0000")


def register(db: Database, email: str, password: str, full_name: str) -> User:
    """Create a citizen account."""
    email = rules.validate_email(email)
    rules.validate_password(password, email)
    name = full_name.strip()
    if not name or len(name) > 200:
        raise ValidationFailed("Enter your name (at most 200 characters).", field="full_name")
    try:
        with db.transaction() as s:
            if s.scalar(select(User.id).where(User.email == email)) is not None:
                raise Conflict("An account with this email exists already.", field="email")
            user = User(email=email, password_hash=hash_password(password), full_name=name)
            s.add(user)
            s.flush()
            return user
    except IntegrityError:
        raise Conflict("An account with this email exists already.", field="email") from None


def authenticate(db: Database, email: str, password: str) -> User:
    """The user with these credentials, or Unauthorized (same message either way)."""
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None or not user.is_active:
            verify_password(_DUMMY_HASH, password)
            raise Unauthorized("Wrong email or password.")
        if not verify_password(user.password_hash, password):
            raise Unauthorized("Wrong email or password.")
        user.last_login_at = utcnow()
        return user


def change_password(db: Database, user_id: int, current: str, new: str) -> User:
    """Change a password after checking the current one."""
    with db.transaction() as s:
        user = s.get(User, user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise Unauthorized("The current password is wrong.", field="current_password")
        rules.validate_password(new, user.email)
        user.password_hash = hash_password(new)
        return user


def issue_token(db: Database, user_id: int, name: str, days: int = 90) -> str:
    """Create an API token; the secret is returned once and only its digest is stored."""
    token = new_token()
    now = utcnow()
    with db.transaction() as s:
        s.add(
            ApiToken(
                user_id=user_id,
                name=name[:100],
                token_hash=token_digest(token),
                created_at=now,
                expires_at=now + timedelta(days=days),
            )
        )
    return token


def revoke_token(db: Database, digest: str) -> bool:
    """Revoke the token with this digest; False if it was not active."""
    with db.transaction() as s:
        done = s.execute(
            update(ApiToken)
            .where(ApiToken.token_hash == digest, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    return bool(rowcount(done))
