"""Who is calling: session login for pages, bearer API tokens for the JSON API, role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import g, redirect, request, session, url_for
from sqlalchemy import select

from mobility.clock import utcnow
from mobility.errors import Forbidden, Unauthorized
from mobility.models import ApiToken, User, UserRole
from mobility.security import token_digest

F = TypeVar("F", bound=Callable[..., Any])


def wants_json() -> bool:
    """True for JSON API requests (errors are JSON there, pages elsewhere)."""
    return request.path.startswith("/api/")


def _user_from_token(header: str) -> User | None:
    from booking.app import runtime

    token = header.removeprefix("Bearer ").strip()
    if not token:
        return None
    now = utcnow()
    with runtime().db.transaction() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        row.last_used_at = now
        user = s.get(User, row.user_id)
        return user if user is not None and user.is_active else None


def _user_from_session() -> User | None:
    from booking.app import runtime

    uid = session.get("uid")
    if uid is None:
        return None
    with runtime().db.sessions() as s:
        user = s.get(User, uid)
    if user is None or not user.is_active or session.get("pwv") != _password_version(user):
        session.clear()
        return None
    return user


def _password_version(user: User) -> str:
    # A password change invalidates other sessions: the session stores a digest prefix.
    return token_digest(user.password_hash)[:16]


def load_current_user() -> None:
    """before_request hook: resolve the caller once per request."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.user = _user_from_token(header)
        g.via_token = True
    else:
        g.user = _user_from_session()
        g.via_token = False


def current_user() -> User | None:
    """The authenticated user of this request, if any."""
    return cast(User | None, g.get("user"))


def login_user(user: User) -> None:
    """Start a fresh session for `user` (new session contents guard against fixation)."""
    session.clear()
    session["uid"] = user.id
    session["pwv"] = _password_version(user)
    session.permanent = True


def logout_user() -> None:
    """End the session."""
    session.clear()


def require_user() -> User:
    """The current user or Unauthorized."""
    user = current_user()
    if user is None:
        raise Unauthorized("Log in or send an API token (Authorization: Bearer ...).")
    return user


def login_required(view: F) -> F:
    """Pages redirect to the login page; the API answers 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if wants_json():
                raise Unauthorized("Log in or send an API token (Authorization: Bearer ...).")
            return redirect(url_for("views.login", next=request.full_path))
        return view(*args, **kwargs)

    return cast(F, wrapper)


def operator_required(view: F) -> F:
    """Only platform operators."""

    @wraps(view)
    @login_required
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or user.role != UserRole.OPERATOR:
            raise Forbidden("Operator role required.")
        return view(*args, **kwargs)

    return cast(F, wrapper)
