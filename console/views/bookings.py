"""Bookings and trips: today, upcoming, no-shows; trips on the road and finished."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import request

from console.context import ctx
from console.pages import bp, page, paging
from console.services import bookings
from mobility.clock import utcnow
from mobility.errors import ValidationFailed


@bp.get("/bookings")
def bookings_page() -> Any:
    """Bookings of a view (today, upcoming, no-shows, all) and the trips on the road."""
    view = request.args.get("view", "today")
    if view not in bookings.VIEWS:
        raise ValidationFailed("Unknown view.", field="view")
    tz = ZoneInfo(ctx().settings.timezone)
    day_start = datetime.combine(utcnow().astimezone(tz).date(), time(), tz)
    number, per_page = paging()
    return page(
        "bookings.html",
        view=view,
        views=bookings.VIEWS,
        found=bookings.bookings(ctx().db, view, day_start, number, per_page),
        active=bookings.trips(ctx().db, True, 1, 50),
    )


@bp.get("/trips")
def trips_page() -> Any:
    """Finished trips, newest first."""
    number, per_page = paging()
    return page("trips.html", found=bookings.trips(ctx().db, False, number, per_page))
