"""The console's home: the dashboard with its plots."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import request

from console.context import ctx
from console.pages import bp, optional_int, page
from console.services import dashboard
from mobility.clock import utcnow
from mobility.errors import ValidationFailed


@bp.get("/")
def home() -> Any:
    """The dashboard: energy, site load, availability, utilisation, bookings and revenue."""
    days = optional_int("days", request.args) or dashboard.DAY_CHOICES[1]
    if days not in dashboard.DAY_CHOICES:
        raise ValidationFailed("Show 7, 14 or 30 days.", field="days")
    tz = ZoneInfo(ctx().settings.timezone)
    site = optional_int("site", request.args)
    found = dashboard.build(ctx().db, ctx().memo, utcnow(), days, site, tz)
    return page("dashboard.html", d=found, choices=dashboard.DAY_CHOICES)
