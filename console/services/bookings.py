"""Bookings and trips for the console: today's, upcoming, no-shows, trips on the road."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.ports import BookingDesk
from console.services.audit import Actor, record
from console.services.paging import AnySelect, Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import NotFound, PaymentFailed, ValidationFailed
from mobility.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    Company,
    Hub,
    Invoice,
    Trip,
    TripStatus,
    User,
    Vehicle,
)

VIEWS = ("today", "upcoming", "no_show", "all")


@dataclass(frozen=True)
class BookingRow:
    """A booking with who booked which vehicle where."""

    booking: Booking
    user: str
    vehicle: str
    hub: str | None


@dataclass(frozen=True)
class TripRow:
    """A trip with its rider and vehicle."""

    trip: Trip
    user: str
    vehicle: str


def _bookings(view: str, day_start: datetime) -> AnySelect:
    stmt = (
        select(Booking, User.email, Vehicle.code, Hub.name)
        .join(User, User.id == Booking.user_id)
        .join(Vehicle, Vehicle.id == Booking.vehicle_id)
        .outerjoin(Hub, Hub.id == Booking.hub_id)
    )
    if view == "today":
        end = day_start + timedelta(days=1)
        return stmt.where(Booking.start_at >= day_start, Booking.start_at < end).order_by(
            Booking.start_at
        )
    if view == "upcoming":
        return stmt.where(
            Booking.status == BookingStatus.CONFIRMED, Booking.start_at >= utcnow()
        ).order_by(Booking.start_at)
    if view == "no_show":
        stmt = stmt.where(Booking.status == BookingStatus.NO_SHOW)
    return stmt.order_by(Booking.start_at.desc(), Booking.id.desc())


def bookings(
    db: Database, view: str, day_start: datetime, page: int, per_page: int
) -> Page[BookingRow]:
    """One page of bookings of a view; `day_start` is the start of today in local time."""
    with db.sessions() as s:
        found = page_of(s, _bookings(view, day_start), page, per_page, rows=True)
    rows = [BookingRow(b, email, code, hub) for b, email, code, hub in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def trips(db: Database, active: bool, page: int, per_page: int) -> Page[TripRow]:
    """Trips on the road now, or finished trips newest first."""
    stmt = (
        select(Trip, User.email, Vehicle.code)
        .join(User, User.id == Trip.user_id)
        .join(Vehicle, Vehicle.id == Trip.vehicle_id)
        .where(Trip.status == (TripStatus.ACTIVE if active else TripStatus.ENDED))
        .order_by(Trip.started_at.desc(), Trip.id.desc())
    )
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
    rows = [TripRow(t, email, code) for t, email, code in found.items]
    return Page(rows, found.total, found.page, found.per_page)


@dataclass(frozen=True)
class BookingView:
    """A booking with its people, vehicle, trip, invoices and adjustments."""

    row: BookingRow
    company: str | None
    trip: Trip | None
    invoices: list[Invoice]
    history: list[AuditEntry]

    @property
    def booking(self) -> Booking:
        """The booking itself."""
        return self.row.booking


def booking_view(db: Database, booking_id: int) -> BookingView:
    """One booking with what the operator needs to adjust it."""
    with db.sessions() as s:
        found = s.execute(_bookings("all", utcnow()).where(Booking.id == booking_id)).first()
        if found is None:
            raise NotFound(f"No booking {booking_id}.")
        booking = found[0]
        company = s.get(Company, booking.company_id) if booking.company_id else None
        invoices = s.scalars(select(Invoice).where(Invoice.booking_id == booking_id))
        history = s.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "booking", AuditEntry.target_id == str(booking_id))
            .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(20)
        )
        return BookingView(
            BookingRow(*found),
            company.name if company else None,
            booking.trip,
            list(invoices),
            list(history),
        )


def _why(reason: str) -> str:
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    return reason.strip()


def _note(actor: Actor, action: str, booking_id: int, reason: str) -> Any:
    """The audit row an adjustment writes in its own transaction."""

    def note(s: Session, changed: dict[str, Any]) -> Any:
        return record(s, actor, action, "booking", booking_id, reason=reason, **changed)

    return note


def reschedule(
    db: Database,
    desk: BookingDesk,
    actor: Actor,
    booking_id: int,
    times: tuple[datetime, datetime],
    reason: str,
) -> None:
    """Move a booking to new times (every booking rule applies, and its new price)."""
    why = _why(reason)
    try:
        desk.reschedule(
            booking_id, *times, note=_note(actor, "booking.reschedule", booking_id, why)
        )
    except PaymentFailed as exc:
        # Committed, then the provider refused the new hold and the booking was put back.
        with db.transaction() as s:
            record(s, actor, "booking.reschedule_undone", "booking", booking_id, reason=exc.message)
        raise


def cancel(desk: BookingDesk, actor: Actor, booking_id: int, charge_fee: bool, reason: str) -> Any:
    """Cancel a booking for its booker, waiving or charging the late fee; the fee invoice."""
    note = _note(actor, "booking.cancel", booking_id, _why(reason))
    return desk.cancel_for(booking_id, charge_fee, note=note)[1]


def no_show(desk: BookingDesk, actor: Actor, booking_id: int, charge_fee: bool, reason: str) -> Any:
    """Record a no-show (or charge one released without a fee); the fee invoice."""
    note = _note(actor, "booking.no_show", booking_id, _why(reason))
    return desk.mark_no_show(booking_id, charge_fee, note=note)[1]
