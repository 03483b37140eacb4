"""The Flask app every face plugs its blueprints into; nothing is built at import time."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from flask import Flask

from mobility.config import Settings
from mobility.web.auth import current_user, load_current_user
from mobility.web.context import EXTENSION, WebContext
from mobility.web.errors import register_error_handlers
from mobility.web.extensions import SessionCookies, csrf, init_limiter
from mobility.web.strict_json import StrictJSONProvider

MAX_BODY_BYTES = 1024 * 1024


def create_shell(ctx: WebContext, **config: Any) -> Flask:
    """An app with sessions, CSRF, sign-in and error translation, but no pages yet."""
    settings = ctx.settings
    app = Flask("mobility.web", template_folder="templates", static_folder="static")
    app.json = StrictJSONProvider(app)
    app.config.update(_config(settings), **config)
    app.extensions[EXTENSION] = ctx
    app.session_interface = SessionCookies()
    # Keys in the order the serializers write them (Flask sorts by default, at a cost).
    app.json.sort_keys = False
    csrf.init_app(app)
    app.before_request(load_current_user)
    # Templates read g.user; make sure a bearer-token caller is resolved before rendering.
    app.context_processor(lambda: {"current_user": current_user()})
    register_error_handlers(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def finish(app: Flask) -> Flask:
    """Last step once every package registered its blueprints: rate limits on login routes."""
    init_limiter(app)
    return app


def _config(settings: Settings) -> dict[str, Any]:
    """Flask settings from ours: cookies, body limit, rate limiter, CSRF, sign-in page."""
    return dict(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.cookies_secure,
        PERMANENT_SESSION_LIFETIME=timedelta(days=settings.session_days),
        # Nothing the platform accepts is bigger; larger bodies get 413 before parsing.
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        # An unreachable Redis (a dropped host, not a refused port) must not hold a login for
        # the operating system's connect timeout: give up quickly and use the memory fallback.
        RATELIMIT_STORAGE_OPTIONS=(
            {"socket_connect_timeout": 2, "socket_timeout": 2} if settings.redis_url else {}
        ),
        RATELIMIT_HEADERS_ENABLED=True,
        # Tests share one Redis: give each test app its own counters.
        RATELIMIT_KEY_PREFIX=f"mobility-{uuid.uuid4().hex}" if settings.testing else "mobility",
        # Login keeps working when Redis is away: counters fall back to memory (logged).
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        WTF_CSRF_TIME_LIMIT=None,
        # Where login_required sends a visitor of a page (the citizen site's login by default).
        LOGIN_VIEW="views.login",
    )
