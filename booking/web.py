"""Booking's web edges: citizen pages and API, fleet pages and API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from booking import account_views  # noqa: F401 (registers the account pages on views.bp)
from booking.account_api import bp as account_api
from booking.api import bp as api
from booking.context import EXTENSION, BookingContext
from booking.fleet import invoice_views, member_views  # noqa: F401 (routes on fleet_views)
from booking.fleet.api import bp as fleet_api
from booking.fleet.views import bp as fleet_views
from booking.operator_api import bp as operator_api
from booking.views import bp as views
from mobility.web.extensions import csrf

# The citizen site's catalogues (fr, de): `pybabel extract -F babel.cfg` then update/compile.
TRANSLATIONS = str(Path(__file__).parent / "translations")


def init_app(app: Flask, context: BookingContext) -> None:
    """Register booking's blueprints on the platform's web app."""
    app.extensions[EXTENSION] = context
    # The JSON APIs authenticate with bearer tokens: no CSRF token to send.
    for bp in (api, fleet_api, account_api, operator_api):
        csrf.exempt(bp)
    for bp in (views, api, fleet_api, fleet_views, account_api, operator_api):
        app.register_blueprint(bp)
