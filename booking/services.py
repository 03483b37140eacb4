"""Booking and trip use cases, one transaction each; the database guarantees no double booking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from billing.facade import Billing, PriceQuote
from booking import rules
from booking.policy import check_may_book, within_hours
from mobility.clock import utcnow
from mobility.db import Database, FastQuery
from mobility.errors import Conflict, Forbidden, NotFound, ValidationFailed
from mobility.models import (
    HOLDING_STATES,
    Booking,
    BookingStatus,
    Hub,
    Invoice,
    Membership,
    MembershipStatus,
    Trip,
    TripStatus,
    User,
    Vehicle,
    VehicleState,
    VehicleVisibility,
)


@dataclass(frozen=True)
class Search:
    """Availability search criteria."""

    start: datetime
    end: datetime
    hub_id: int | None = None
    kind: str | None = None
    min_soc: int | None = None
    min_range_km: int | None = None


# A select of any row shape (SQLAlchemy 2.1 types selects by their columns).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"

_SEARCH_SHAPES: dict[tuple[bool, ...], AnySelect] = {}

# What the JSON API shows of a vehicle (plus what visibility needs): selecting only these skips
# decoding timestamps and other columns on the hot path.
ROW_COLUMNS = (
    Vehicle.id,
    Vehicle.code,
    Vehicle.kind,
    Vehicle.model,
    Vehicle.hub_id,
    Vehicle.state,
    Vehicle.soc_percent,
    Vehicle.max_range_km,
    Vehicle.seats,
    Vehicle.plate,
    Vehicle.visibility,
    Vehicle.public_hours,
)


def _search_stmt(
    hub: bool, kind: bool, soc: bool, range_: bool, now_only: bool, rows: bool
) -> AnySelect:
    """The availability query for one combination of filters, with bound parameters.

    Built once per shape and reused: constructing SQLAlchemy expressions costs more than
    running this indexed query, and a reused statement also hits the compiled-SQL cache.
    """
    key = (hub, kind, soc, range_, now_only, rows)
    cached = _SEARCH_SHAPES.get(key)
    if cached is not None:
        return cached
    # OR-ed equalities rather than IN: an IN list is re-rendered on every execution.
    busy = exists().where(
        Booking.vehicle_id == Vehicle.id,
        or_(*(Booking.status == st for st in HOLDING_STATES)),
        Booking.start_at < bindparam("window_end"),
        Booking.block_end_at > bindparam("start"),
    )
    member_of = select(Membership.company_id).where(
        Membership.user_id == bindparam("user_id"), Membership.status == MembershipStatus.ACTIVE
    )
    states = [VehicleState.AVAILABLE] + ([] if now_only else [VehicleState.IN_USE])
    # for_member: whether the caller belongs to the owning company (sees it at any hour).
    entity: Any = ROW_COLUMNS if rows else (Vehicle,)
    stmt: AnySelect = select(*entity, Vehicle.owner_company_id.in_(member_of).label("for_member"))
    stmt = stmt.where(
        or_(*(Vehicle.state == st for st in states)),
        Vehicle.hub_id.is_not(None),
        ~busy,
        (Vehicle.visibility != VehicleVisibility.FLEET_ONLY)
        | Vehicle.owner_company_id.in_(member_of),
    )
    if hub:
        stmt = stmt.where(Vehicle.hub_id == bindparam("hub_id"))
    if kind:
        stmt = stmt.where(Vehicle.kind == bindparam("kind"))
    if soc:
        stmt = stmt.where(Vehicle.soc_percent >= bindparam("min_soc"))
    if range_:
        stmt = stmt.where(Vehicle.max_range_km * Vehicle.soc_percent >= bindparam("min_range"))
    stmt = stmt.order_by(Vehicle.hub_id, Vehicle.kind, Vehicle.soc_percent.desc(), Vehicle.id)
    _SEARCH_SHAPES[key] = stmt
    return stmt


def search_params(
    q: Search, user_id: int | None, rows: bool = False
) -> tuple[AnySelect, dict[str, Any]]:
    """The availability statement and its parameters for these criteria and this user."""
    # A vehicle out on a trip right now cannot be booked to start now.
    now_only = q.start <= utcnow() + rules.DEFAULT_POLICY.buffer
    stmt = _search_stmt(
        q.hub_id is not None,
        bool(q.kind),
        q.min_soc is not None,
        q.min_range_km is not None,
        now_only,
        rows,
    )
    params: dict[str, Any] = {
        "start": q.start,
        "window_end": q.end + rules.DEFAULT_POLICY.buffer,
        "user_id": user_id if user_id is not None else -1,
        "hub_id": q.hub_id,
        "kind": q.kind,
        "min_soc": q.min_soc,
        "min_range": (q.min_range_km or 0) * 100,
    }
    return stmt, params


def _shown(visibility: str, hours: Any, for_member: bool | None, q: Search, tz: ZoneInfo) -> bool:
    # Company cars shared at set hours are offered to the public only inside those hours.
    if visibility != VehicleVisibility.SHARED_HOURS or for_member:
        return True
    return within_hours(hours, q.start, tz) and within_hours(hours, q.end, tz)


def search(s: Session, q: Search, user_id: int | None, tz: ZoneInfo) -> list[Vehicle]:
    """Bookable vehicles for the criteria, visible to this user (fleet-only ones to members)."""
    stmt, params = search_params(q, user_id)
    return [
        v
        for v, for_member in s.execute(stmt, params)
        if _shown(v.visibility, v.public_hours, for_member, q, tz)
    ]


_FAST_SHAPES: dict[int, FastQuery] = {}


def search_rows(db: Database, q: Search, user_id: int | None, tz: ZoneInfo) -> list[Any]:
    """The same search as named tuples of ROW_COLUMNS (the JSON API's hot path)."""
    stmt, params = search_params(q, user_id, rows=True)
    fast = _FAST_SHAPES.get(id(stmt))
    if fast is None:
        # Shapes are built once and kept, so their ids are stable keys.
        fast = _FAST_SHAPES[id(stmt)] = FastQuery(stmt)
    return [
        row
        for row in fast.all(db, params)
        if _shown(row.visibility, row.public_hours, row.for_member, q, tz)
    ]


class BookingService:
    """Bookings and trips for one process (settings, database and billing)."""

    def __init__(self, db: Database, billing: Billing, policy: rules.BookingPolicy | None = None):
        self.db = db
        self.billing = billing
        self.policy = policy or rules.DEFAULT_POLICY
        self.tz = ZoneInfo(db.settings.timezone)

    def quote(
        self,
        user_id: int,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        company_id: int | None = None,
        expected_km: Decimal | None = None,
    ) -> PriceQuote:
        """Price a planned booking (shown before confirmation)."""
        rules.validate_slot(start, end, utcnow(), self.policy)
        with self.db.sessions() as s:
            vehicle = s.get(Vehicle, vehicle_id)
            if vehicle is None:
                raise NotFound("No such vehicle.")
            return self.billing.quote_booking(
                s,
                vehicle=vehicle,
                user_id=user_id,
                company_id=company_id,
                start_at=start,
                end_at=end,
                expected_km=expected_km,
            )

    def _lock_vehicle(self, s: Session, vehicle_id: int) -> Vehicle:
        # Row lock per vehicle: concurrent bookings of one vehicle queue here (PostgreSQL);
        # SQLite serialises all writers with BEGIN IMMEDIATE.
        vehicle = s.get(Vehicle, vehicle_id, with_for_update=True)
        if vehicle is None:
            raise NotFound("No such vehicle.")
        return vehicle

    def _assert_free(
        self,
        s: Session,
        vehicle_id: int,
        start: datetime,
        block_end: datetime,
        ignore_booking: int | None = None,
    ) -> None:
        clash = select(Booking.id).where(
            Booking.vehicle_id == vehicle_id,
            Booking.status.in_(HOLDING_STATES),
            and_(Booking.start_at < block_end, Booking.block_end_at > start),
        )
        if ignore_booking is not None:
            clash = clash.where(Booking.id != ignore_booking)
        if s.scalar(clash.limit(1)) is not None:
            raise Conflict(
                "This vehicle is already booked for part of that time.", code="slot_taken"
            )

    def create(
        self,
        user_id: int,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        *,
        company_id: int | None = None,
        min_soc: int | None = None,
    ) -> Booking:
        """Book a vehicle for a slot (start <= now means rent now)."""
        now = utcnow()
        rules.validate_slot(start, end, now, self.policy)
        if min_soc is not None and not 0 <= min_soc <= 100:
            raise ValidationFailed("Minimum charge must be between 0 and 100%.", field="min_soc")
        with self.db.transaction() as s:
            user = s.get(User, user_id)
            vehicle = self._lock_vehicle(s, vehicle_id)
            if user is None:
                raise NotFound("No such user.")
            if vehicle.state not in (VehicleState.AVAILABLE, VehicleState.IN_USE):
                raise Conflict(
                    f"This vehicle is {vehicle.state.replace('_', ' ')}.",
                    code="vehicle_unavailable",
                )
            if start <= now + self.policy.buffer and vehicle.state != VehicleState.AVAILABLE:
                raise Conflict("This vehicle is on a trip right now.", code="vehicle_unavailable")
            membership = check_may_book(s, user, company_id, vehicle, start, end, self.tz)
            block_end = rules.blocked_until(end, self.policy)
            self._assert_free(s, vehicle.id, start, block_end)
            quote = self.billing.quote_booking(
                s,
                vehicle=vehicle,
                user_id=user.id,
                company_id=company_id,
                start_at=start,
                end_at=end,
            )
            from booking.policy_limits import check_limits

            check_limits(s, user, company_id, membership, vehicle, quote, now, self.tz)
            booking = Booking(
                user_id=user.id,
                vehicle_id=vehicle.id,
                hub_id=vehicle.hub_id,
                company_id=company_id,
                cost_centre_id=membership.cost_centre_id if membership else None,
                start_at=start,
                end_at=end,
                block_end_at=block_end,
                min_soc_percent=min_soc,
                quote_minor=quote.total_minor,
                currency=quote.currency,
                status=BookingStatus.CONFIRMED,
            )
            s.add(booking)
            s.flush()
            self.billing.hold_booking(s, booking)
            return booking

    def _own_booking(self, s: Session, user_id: int, booking_id: int, lock: bool = True) -> Booking:
        booking = s.get(Booking, booking_id, with_for_update=lock)
        if booking is None or booking.user_id != user_id:
            raise NotFound("No such booking.")
        return booking

    def modify(self, user_id: int, booking_id: int, start: datetime, end: datetime) -> Booking:
        """Move or resize a confirmed booking (same vehicle), re-quoting it."""
        now = utcnow()
        rules.validate_slot(start, end, now, self.policy)
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict("Only confirmed bookings that have not started can be changed.")
            vehicle = self._lock_vehicle(s, booking.vehicle_id)
            block_end = rules.blocked_until(end, self.policy)
            self._assert_free(s, vehicle.id, start, block_end, ignore_booking=booking.id)
            quote = self.billing.quote_booking(
                s,
                vehicle=vehicle,
                user_id=user_id,
                company_id=booking.company_id,
                start_at=start,
                end_at=end,
            )
            booking.start_at, booking.end_at, booking.block_end_at = start, end, block_end
            booking.quote_minor = quote.total_minor
            return booking

    def cancel(self, user_id: int, booking_id: int) -> tuple[Booking, Invoice | None]:
        """Cancel: free before the cut-off, the late fee after it."""
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(f"This booking is {booking.status} and cannot be cancelled.")
            fee = rules.cancellation_fee(booking.quote_minor, booking.start_at, now, self.policy)
            booking.status = BookingStatus.CANCELLED
            booking.cancelled_at = now
            booking.cancel_fee_minor = fee
            invoice = self.billing.cancel_booking(s, booking, fee)
            return booking, invoice

    def start_trip(self, user_id: int, booking_id: int) -> Trip:
        """Unlock the vehicle: the booking becomes active and the trip starts."""
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(f"This booking is {booking.status}; it cannot be started.")
            if now < booking.start_at - self.policy.start_slack * 5:
                raise Conflict("Your booking has not started yet.", code="too_early")
            if now >= booking.end_at:
                raise Conflict("Your booking has already ended.", code="too_late")
            vehicle = self._lock_vehicle(s, booking.vehicle_id)
            if vehicle.state != VehicleState.AVAILABLE:
                raise Conflict(
                    "The vehicle is not ready to be unlocked.", code="vehicle_unavailable"
                )
            rules.check_soc(vehicle.soc_percent, booking.min_soc_percent)
            vehicle.state, vehicle.locked = VehicleState.IN_USE, False
            booking.status = BookingStatus.ACTIVE
            trip = Trip(
                booking_id=booking.id,
                user_id=user_id,
                vehicle_id=vehicle.id,
                company_id=booking.company_id,
                cost_centre_id=booking.cost_centre_id,
                start_hub_id=vehicle.hub_id,
                started_at=now,
                start_soc_percent=vehicle.soc_percent,
                start_odometer_km=vehicle.odometer_km,
                currency=booking.currency,
            )
            vehicle.hub_id = None
            s.add(trip)
            s.flush()
            return trip

    def end_trip(
        self,
        user_id: int,
        trip_id: int,
        hub_id: int,
        end_soc: int,
        distance_km: Decimal | None = None,
        end_odometer_km: Decimal | None = None,
    ) -> tuple[Trip, Invoice]:
        """Lock the vehicle at a hub; record readings; bill the trip (a repeat returns the same)."""
        now = utcnow()
        with self.db.transaction() as s:
            trip = s.get(Trip, trip_id, with_for_update=True)
            if trip is None or trip.user_id != user_id:
                raise NotFound("No such trip.")
            if trip.status == TripStatus.ENDED:
                invoice = self.billing.receipt(s, trip.id)
                assert invoice is not None
                return trip, invoice  # a double tap or network retry: same receipt, no new charge
            hub = s.get(Hub, hub_id)
            if hub is None or not hub.is_active:
                raise ValidationFailed("Choose a hub to end the trip at.", field="hub_id")
            rules.validate_trip_end(
                float(trip.start_odometer_km),
                float(end_odometer_km) if end_odometer_km is not None else None,
                float(distance_km) if distance_km is not None else None,
                end_soc,
            )
            if distance_km is None:
                distance_km = (end_odometer_km or trip.start_odometer_km) - trip.start_odometer_km
            vehicle = self._lock_vehicle(s, trip.vehicle_id)
            trip.ended_at, trip.end_hub_id, trip.end_soc_percent = now, hub.id, end_soc
            trip.distance_km = Decimal(distance_km)
            trip.end_odometer_km = trip.start_odometer_km + trip.distance_km
            trip.duration_s = int((now - trip.started_at).total_seconds())
            trip.status = TripStatus.ENDED
            vehicle.state, vehicle.locked, vehicle.hub_id = VehicleState.AVAILABLE, True, hub.id
            vehicle.soc_percent, vehicle.odometer_km = end_soc, trip.end_odometer_km
            if trip.booking_id is not None:
                booking = s.get(Booking, trip.booking_id)
                if booking is not None:
                    booking.status = BookingStatus.COMPLETED
            invoice = self.billing.settle_trip(s, trip)
            return trip, invoice

    def release_no_shows(self) -> list[int]:
        """Confirmed bookings not started after the grace period release their vehicle (job)."""
        now = utcnow()
        cutoff = now - self.policy.no_show_grace
        with self.db.sessions() as s:
            ids = list(
                s.scalars(
                    select(Booking.id).where(
                        Booking.status == BookingStatus.CONFIRMED, Booking.start_at <= cutoff
                    )
                )
            )
        released = []
        for booking_id in ids:
            with self.db.transaction() as s:
                # Conditional UPDATE claims the row: a second scheduler run finds nothing to do.
                claimed = s.execute(
                    update(Booking)
                    .where(Booking.id == booking_id, Booking.status == BookingStatus.CONFIRMED)
                    .values(status=BookingStatus.NO_SHOW, no_show_at=now)
                ).rowcount
                if claimed:
                    booking = s.get(Booking, booking_id)
                    assert booking is not None
                    self.billing.cancel_booking(s, booking, 0)
                    released.append(booking_id)
        return released

    def require_owner(self, s: Session, user_id: int, booking_id: int) -> Booking:
        """A booking of this user (404 for anyone else's)."""
        return self._own_booking(s, user_id, booking_id, lock=False)


def forbid_other(user_id: int, owner_id: int) -> None:
    """Hide other users' records (404 rather than 403 to avoid leaking ids)."""
    if user_id != owner_id:
        raise NotFound("Not found.")


__all__ = ["BookingService", "Forbidden", "Search", "forbid_other", "search"]
