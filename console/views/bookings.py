"""Bookings and trips: today, upcoming, no-shows; trips on the road and finished."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, redirect, request, url_for

from console.context import ctx
from console.pages import actor, bp, moment, page, paging
from console.services import bookings
from mobility.clock import utcnow
from mobility.errors import DomainError, ValidationFailed


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


def _booking_page(booking_id: int, status: int = 200, **extra: Any) -> Any:
    view = bookings.booking_view(ctx().db, booking_id)
    policy_fee = min(ctx().bookings.policy.late_cancel_fee_minor, view.booking.quote_minor)
    return page(
        "booking.html", status, v=view, b=view.booking, fee=policy_fee, now=utcnow(), **extra
    )


@bp.get("/bookings/<int:booking_id>")
def booking_page(booking_id: int) -> Any:
    """A booking with its trip, invoices, adjustments and the forms to adjust it."""
    return _booking_page(booking_id)


def _times() -> tuple[datetime, datetime]:
    start, end = moment("start_at", request.form), moment("end_at", request.form)
    if start is None or end is None:
        raise ValidationFailed("Give the new start and end.", field="start_at")
    return start, end


def _adjust(booking_id: int, kind: str) -> str:
    """Carry out one adjustment; what to tell the operator."""
    c, reason = ctx(), request.form.get("reason", "")[:500]
    charge = request.form.get("fee") == "charge"
    if kind == "reschedule":
        bookings.reschedule(c.db, c.bookings, actor(), booking_id, _times(), reason)
        return f"Booking #{booking_id} moved."
    adjust = bookings.cancel if kind == "cancel" else bookings.no_show
    invoice = adjust(c.bookings, actor(), booking_id, charge, reason)
    done = "cancelled" if kind == "cancel" else "recorded as a no-show"
    return f"Booking #{booking_id} {done}" + (
        f"; fee invoice {invoice.number}." if invoice else ", no fee."
    )


@bp.post("/bookings/<int:booking_id>/<any(reschedule, cancel, no_show):kind>")
def booking_adjust(booking_id: int, kind: str) -> Any:
    """Change a booking's times, cancel it or mark it a no-show, with a reason (audited)."""
    try:
        message = _adjust(booking_id, kind)
    except DomainError as exc:
        return _booking_page(booking_id, exc.http_status, error=exc.message)
    flash(message)
    return redirect(url_for("console.booking_page", booking_id=booking_id), 303)
