"""The console's web edge: its blueprint and context on the platform's app."""

from __future__ import annotations

from flask import Flask

from console.context import EXTENSION, ConsoleContext
from console.pages import bp
from console.views import (
    audit,
    billing,
    bookings,
    cards,
    chargers,
    fleet,
    licences,
    people,
    reports,
    sessions,
    tariffs,
)

# Importing a view module registers its routes on the blueprint.
VIEWS = (
    chargers,
    sessions,
    cards,
    fleet,
    bookings,
    tariffs,
    billing,
    people,
    licences,
    audit,
    reports,
)


def init_app(app: Flask, context: ConsoleContext) -> None:
    """Register the console (operator role only, CSRF-protected forms) on the web app."""
    app.extensions[EXTENSION] = context
    app.register_blueprint(bp)
