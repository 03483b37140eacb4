"""Bookings and trips for the console: today's, upcoming, no-shows, trips on the road."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from console.services.paging import AnySelect, Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import Booking, BookingStatus, Hub, Trip, TripStatus, User, Vehicle

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
