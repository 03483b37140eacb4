"""Booking's web edges: citizen pages and API, fleet pages and API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from booking import account_views, flow_views, report_views  # noqa: F401 - routes join blueprints
from booking.account_api import bp as account_api
from booking.api import bp as api
from booking.charging import context as charging_context
from booking.charging.views import bp as charging_views
from booking.context import EXTENSION, BookingContext
from booking.fleet import invoice_views, member_views  # noqa: F401 (routes on fleet_views)
from booking.fleet.api import bp as fleet_api
from booking.fleet.views import bp as fleet_views
from booking.operator_api import bp as operator_api
from booking.places.views import bp as places_views
from booking.report_api import operator as reports_api
from booking.views import bp as views
from mobility.web.extensions import csrf

# The citizen site's catalogues (fr, de): `pybabel extract -F babel.cfg` then update/compile.
TRANSLATIONS = str(Path(__file__).parent / "translations")


def init_app(
    app: Flask, context: BookingContext, charging: charging_context.ChargingContext
) -> None:
    """Register booking's blueprints on the platform's web app."""
    app.extensions[EXTENSION] = context
    app.extensions[charging_context.EXTENSION] = charging
    # The JSON APIs authenticate with bearer tokens: no CSRF token to send.
    for bp in (api, fleet_api, reports_api, account_api, operator_api):
        csrf.exempt(bp)
    blueprints = (views, api, fleet_api, fleet_views, reports_api, places_views, charging_views)
    for bp in (*blueprints, account_api, operator_api):
        app.register_blueprint(bp)
