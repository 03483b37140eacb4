"""Flask application factory of the booking service."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, render_template
from sqlalchemy import select

from mobility.bus import CommandBus, InProcessBus
from mobility.config import Settings, load_settings
from mobility.db import Database
from mobility.models import Hub


@dataclass
class Runtime:
    """Process-wide collaborators shared by the views."""

    settings: Settings
    db: Database
    bus: CommandBus


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
    app.config.update(SECRET_KEY=settings.secret_key, TESTING=settings.testing, **config)
    app.extensions["mobility"] = Runtime(
        settings=settings, db=db or Database(settings), bus=bus or InProcessBus()
    )

    @app.get("/")
    def index() -> str:
        with runtime().db.sessions() as s:
            hubs = s.scalars(select(Hub).order_by(Hub.name)).all()
            return render_template("index.html", hubs=hubs)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
