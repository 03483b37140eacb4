"""Flask extensions, created unbound and initialised per app in create_app."""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

csrf = CSRFProtect()

# Endpoints guarded against password guessing, per client address.
LOGIN_LIMIT = "10 per minute"
RATE_LIMITED = ("api.create_token", "views.login")


def init_limiter(app: Flask) -> Limiter:
    """One limiter per app (its storage and key prefix come from that app's config)."""
    limiter = Limiter(key_func=get_remote_address, app=app, default_limits=[])
    for endpoint in RATE_LIMITED:
        view = app.view_functions.get(endpoint)
        if view is not None:
            app.view_functions[endpoint] = limiter.limit(LOGIN_LIMIT, methods=["POST"])(view)  # type: ignore[assignment]
    return limiter
