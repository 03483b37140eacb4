"""Who is calling: session login for pages, bearer API tokens for the JSON API, role checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request, session, url_for
from sqlalchemy import bindparam, select, update

from mobility.clock import utcnow
from mobility.errors import Forbidden, Unauthorized
from mobility.models import ApiToken, User, UserRole, WebSession
from mobility.security import new_token, token_digest
from mobility.web.context import web_context
from mobility.web.extensions import csrf
from mobility.web.token_cache import TokenIdentity

F = TypeVar("F", bound=Callable[..., Any])


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def wants_json() -> bool:
    """True for JSON API requests (errors are JSON there, pages elsewhere)."""
    return request.path.startswith("/api/")


# last_used_at is bookkeeping: refreshing it at most this often keeps API reads free of writes.
_TOKEN_TOUCH_EVERY = timedelta(minutes=5)


# Built once: the lookup runs on every API request.
_TOKEN_LOOKUP = (
    select(
        ApiToken.id,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.user_id,
        User.is_active,
    )
    .join(User, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None))
)


def _resolve_token(digest: str) -> TokenIdentity | None:
    rt = web_context()
    cached = rt.tokens.get(digest)
    if cached is not None:
        return cached
    now = utcnow()
    # A Core read: this runs on every API request, and an ORM session costs more than the query.
    with rt.db.reads() as conn:
        row = conn.execute(_TOKEN_LOOKUP, {"digest": digest}).first()
    if row is None:
        return None
    token_id, expires_at, last_used, user_id, active = row
    if last_used is None or now - last_used > _TOKEN_TOUCH_EVERY:
        with rt.db.transaction() as s:
            s.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    identity = TokenIdentity(
        token_id=token_id, expires_at=expires_at, user_id=user_id, user_active=active
    )
    rt.tokens.put(digest, identity)
    return identity


def _identity_from_token(header: str) -> TokenIdentity | None:
    token = header.removeprefix("Bearer ").strip()
    if not token:
        return None
    digest = token_digest(token)
    identity = _resolve_token(digest)
    if identity is None or not identity.user_active:
        return None
    if identity.expires_at is not None and identity.expires_at <= utcnow():
        return None
    g.token_digest = digest
    return identity


def _user_of(identity: TokenIdentity) -> User | None:
    # The full user is read fresh (role, card, name may have changed since the token was cached).
    with web_context().db.sessions() as s:
        user = s.get(User, identity.user_id)
    return user if user is not None and user.is_active else None


def _user_from_session() -> User | None:
    sid = session.get("sid")
    if not isinstance(sid, str):
        return None
    with web_context().db.sessions() as s:
        user = s.scalar(
            select(User)
            .join(WebSession, WebSession.user_id == User.id)
            .where(
                WebSession.id_hash == token_digest(sid),
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > utcnow(),
                User.is_active,
            )
        )
    if user is None:
        session.pop("sid", None)  # ended, expired or forged: signed out (CSRF token kept)
    return user


def load_current_user() -> None:
    """before_request hook: resolve the caller once per request."""
    header = request.headers.get("Authorization", "")
    if (
        request.method not in SAFE_METHODS
        and wants_json()
        and not header.startswith("Bearer ")
        and "sid" in session
    ):
        # The JSON API is CSRF-exempt for bearer tokens; a browser's cookie needs the token.
        csrf.protect()
    if header.startswith("Bearer "):
        # The User row is read on first use: many API reads only need the id.
        g.token_identity = _identity_from_token(header)
        g.via_token = True
    else:
        g.user = _user_from_session()
        g.via_token = False


def current_user() -> User | None:
    """The authenticated user of this request, if any."""
    if "user" not in g:
        identity = g.get("token_identity")
        g.user = _user_of(identity) if identity is not None else None
    return cast(User | None, g.user)


def current_user_id() -> int | None:
    """The id of the authenticated user, without loading more than needed."""
    identity = g.get("token_identity")
    if identity is not None:
        return identity.user_id
    user = current_user()
    return user.id if user is not None else None


def login_user(user: User, *, end_others: bool = False) -> None:
    """Start a new server-side session (a new id at every login: no fixation).

    `end_others` also ends every other session of the user (after a password change).
    """
    ctx = web_context()
    now = utcnow()
    old = session.get("sid")
    sid = new_token()
    with ctx.db.transaction() as s:
        ending = update(WebSession).where(WebSession.revoked_at.is_(None))
        if end_others:
            s.execute(ending.where(WebSession.user_id == user.id).values(revoked_at=now))
        elif isinstance(old, str):
            s.execute(ending.where(WebSession.id_hash == token_digest(old)).values(revoked_at=now))
        s.add(
            WebSession(
                id_hash=token_digest(sid),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(days=ctx.settings.session_days),
            )
        )
    session.clear()
    session["sid"] = sid
    session.permanent = True


def logout_user() -> None:
    """End the session here and on the server (a copied cookie stops working too)."""
    sid = session.get("sid")
    if isinstance(sid, str):
        with web_context().db.transaction() as s:
            s.execute(
                update(WebSession)
                .where(WebSession.id_hash == token_digest(sid), WebSession.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
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
            return redirect(url_for(current_app.config["LOGIN_VIEW"], next=request.full_path))
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
