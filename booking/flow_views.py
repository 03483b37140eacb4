"""Citizen pages of a booking under way: extend it, cancel it (a fee confirmed first)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from booking.context import ctx
from booking.views import Page, bp, trip_page
from mobility.errors import DomainError
from mobility.models import Vehicle
from mobility.web.auth import login_required, require_user
from mobility.web.i18n import error_text, local_time, money

# What the trip page offers to add to a booking (minutes).
EXTEND_STEPS = (15, 30, 60, 120)


def message(exc: DomainError) -> str:
    """A domain error's message in the page's language (when the catalogue has it)."""
    return error_text(exc)


def field_of(exc: DomainError) -> str | None:
    """The form field a validation error concerns, if it names one."""
    field = exc.details.get("field")
    return str(field) if field else None


def duration(seconds: int) -> str:
    """A running time as H:MM:SS (the live page ticks it in the same form)."""
    seconds = max(0, int(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@bp.app_context_processor
def _flow_helpers() -> dict[str, Any]:
    return {"extend_steps": EXTEND_STEPS, "duration": duration}


@bp.post("/bookings/<int:booking_id>/extend")
@login_required
def extend(booking_id: int) -> Page:
    """Add time to a booking (a trip under way too); every booking check applies again."""
    user = require_user()
    raw = request.form.get("minutes", "")
    if not raw.isdigit() or int(raw) not in EXTEND_STEPS:
        return trip_page(request.form, _("Choose how much time to add."), 422, "minutes")
    rt = ctx()
    try:
        with rt.db.sessions() as s:
            current = rt.bookings.require_owner(s, user.id, booking_id).end_at
        booking = rt.bookings.extend(user.id, booking_id, current + timedelta(minutes=int(raw)))
    except DomainError as exc:
        return trip_page(request.form, message(exc), exc.http_status, "minutes")
    flash(
        _(
            "Extended until %(end)s. Estimated price now %(price)s.",
            end=local_time(booking.end_at, rt.settings.timezone),
            price=money(booking.quote_minor, booking.currency),
        )
    )
    back = request.form.get("back")
    return redirect(
        url_for("views.my_bookings") if back == "bookings" else url_for("views.active_trip")
    )


@bp.post("/bookings/<int:booking_id>/cancel")
@login_required
def cancel(booking_id: int) -> Page:
    """Cancel: a free cancellation at once; one with a fee only once that fee is confirmed."""
    user = require_user()
    raw = request.form.get("accept_fee_minor", "0")
    accepted = int(raw) if raw.isdigit() else 0
    rt = ctx()
    try:
        booking, _invoice = rt.bookings.cancel(user.id, booking_id, accept_fee_minor=accepted)
    except DomainError as exc:
        if exc.code == "fee_not_accepted":
            return _confirm_cancel(booking_id, int(exc.details["fee_minor"]))
        flash(message(exc))
        return redirect(url_for("views.my_bookings"))
    fee = booking.cancel_fee_minor
    flash(
        _("Cancelled. Fee: %(fee)s.", fee=money(fee, booking.currency))
        if fee
        else _("Cancelled, free of charge.")
    )
    return redirect(url_for("views.my_bookings"))


def _confirm_cancel(booking_id: int, fee_minor: int) -> Page:
    """The second step of a cancellation that costs money: the fee, and an explicit confirm."""
    rt = ctx()
    with rt.db.sessions() as s:
        booking = rt.bookings.require_owner(s, require_user().id, booking_id)
        vehicle = s.get(Vehicle, booking.vehicle_id)
    free = rt.bookings.policy.free_cancel_before
    return render_template(
        "cancel.html",
        booking=booking,
        vehicle=vehicle,
        fee_minor=fee_minor,
        free_minutes=int(free.total_seconds() // 60),
        tz=rt.settings.timezone,
    )
