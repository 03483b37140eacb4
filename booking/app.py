"""Flask application factory of the booking service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from billing.facade import Billing
from booking.auth import current_user, load_current_user
from booking.errors import register_error_handlers
from booking.extensions import SessionCookies, csrf, init_limiter
from booking.services import BookingService
from booking.token_cache import TokenCache
from mobility.bus import CommandBus, InProcessBus
from mobility.config import Settings, load_settings
from mobility.db import Database
from mobility.mail import LogMailer, Mailer, mailer_for


@dataclass
class Runtime:
    """Process-wide collaborators shared by the views."""

    settings: Settings
    db: Database
    bus: CommandBus
    billing: Billing
    bookings: BookingService
    mailer: Mailer = field(default_factory=LogMailer)
    tokens: TokenCache = field(default_factory=TokenCache)


def runtime() -> Runtime:
    """The Runtime of the current Flask app."""
    rt: Runtime = current_app.extensions["mobility"]
    return rt


def create_app(
    settings: Settings | None = None,
    *,
    db: Database | None = None,
    bus: CommandBus | None = None,
    **config: Any,
) -> Flask:
    """Build the booking web app; nothing is created at import time."""
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        RATELIMIT_STORAGE_URI=settings.redis_url or "memory://",
        RATELIMIT_HEADERS_ENABLED=True,
        # Tests share one Redis: give each test app its own counters.
        RATELIMIT_KEY_PREFIX=f"mobility-{uuid.uuid4().hex}" if settings.testing else "mobility",
        WTF_CSRF_TIME_LIMIT=None,
        **config,
    )
    database = db or Database(settings)
    billing = Billing(settings)
    app.extensions["mobility"] = Runtime(
        settings=settings,
        db=database,
        bus=bus or InProcessBus(),
        billing=billing,
        bookings=BookingService(database, billing),
        mailer=mailer_for(settings),
    )
    app.session_interface = SessionCookies()
    # Keys in the order the serializers write them (Flask sorts by default, at a cost).
    app.json.sort_keys = False  # type: ignore[attr-defined]
    csrf.init_app(app)

    app.before_request(load_current_user)
    # Templates read g.user; make sure a bearer-token caller is resolved before rendering.
    app.context_processor(lambda: {"current_user": current_user()})
    register_error_handlers(app)
    _register_blueprints(app)
    init_limiter(app)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _register_blueprints(app: Flask) -> None:
    """Each feature area is a blueprint in its own module."""
    from billing.webhooks import bp as stripe_webhooks
    from booking.api import bp as api
    from booking.fleet.api import bp as fleet_api
    from booking.fleet.views import bp as fleet_views
    from booking.operator_api import bp as operator_api
    from booking.views import bp as views

    # The JSON API authenticates with bearer tokens and Stripe signs its webhooks: no CSRF.
    for bp in (api, operator_api, stripe_webhooks, fleet_api):
        csrf.exempt(bp)
    app.register_blueprint(views)
    app.register_blueprint(api)
    app.register_blueprint(operator_api)
    app.register_blueprint(stripe_webhooks)
    app.register_blueprint(fleet_api)
    app.register_blueprint(fleet_views)
