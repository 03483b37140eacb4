"""Flask extensions, created unbound and initialised per app in create_app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect
from itsdangerous import URLSafeTimedSerializer

csrf = CSRFProtect()


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per secret."""

    _cached: tuple[str | bytes, URLSafeTimedSerializer] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds a new serializer on every request; it only depends on the secret key.
        if not app.secret_key:
            return None
        cached = self._cached
        if cached is None or cached[0] != app.secret_key:
            serializer = super().get_signing_serializer(app)
            if serializer is None:
                return None
            cached = self._cached = (app.secret_key, serializer)
        return cached[1]


# Views guarded against password guessing, per client address.
LOGIN_LIMIT = "10 per minute"
_GUARDED = "_mobility_login_limited"

F = TypeVar("F", bound=Callable[..., Any])


def login_limited(view: F) -> F:
    """Mark a view that checks a password: it gets LOGIN_LIMIT per client on POST."""
    setattr(view, _GUARDED, True)
    return view


def init_limiter(app: Flask) -> Limiter:
    """One limiter per app (its storage and key prefix come from that app's config)."""
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, _GUARDED, False):
            app.view_functions[endpoint] = limiter.limit(LOGIN_LIMIT, methods=["POST"])(view)  # type: ignore[assignment]
    # Decorated views check their own limits; with no app-wide limits the limiter's
    # before_request hook only costs time on every other request, so drop it.
    hooks = app.before_request_funcs.get(None, [])
    hooks[:] = [h for h in hooks if getattr(h, "__self__", None) is not limiter]
    return limiter
