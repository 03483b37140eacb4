"""Booking and trip use cases, one transaction each; the database guarantees no double booking."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select, update
from sqlalchemy.orm import Session

from billing.facade import Billing, PriceQuote
from booking import rules, search
from booking.search import Search
from mobility.charge_outlook import ChargeOutlook, NoOutlook
from mobility.clock import as_utc, utcnow
from mobility.db import Database, rowcount
from mobility.driving_licence import Licence
from mobility.errors import N_, Conflict, Forbidden, NotFound, PaymentFailed, ValidationFailed
from mobility.models import (
    HOLDING_STATES,
    Booking,
    BookingStatus,
    Company,
    Hub,
    Invoice,
    Membership,
    MembershipStatus,
    Payment,
    PaymentStatus,
    Trip,
    TripStatus,
    User,
    Vehicle,
    VehicleKind,
    VehicleState,
)
from mobility.models.hubs import new_public_id
from mobility.outbox import Outbox

# Outbox intent recorded when a booking is cancelled; whoever holds something for the booking
# (a charger reservation) is told after commit by the handler the composition root registers.
BOOKING_CANCELLED = "booking.cancelled"
# An operator's own record of an adjustment (an audit row), written in the adjusting
# transaction and given what changed.
Note = Callable[[Session, dict[str, Any]], object]


class BookingService:
    """Bookings and trips under one booking policy (injected once by the composition root)."""

    def __init__(
        self,
        db: Database,
        billing: Billing,
        policy: rules.BookingPolicy,
        outlook: ChargeOutlook | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self.db = db
        self.billing = billing
        self.policy = policy
        self.outlook: ChargeOutlook = outlook or NoOutlook()
        self.outbox = outbox
        self.tz = ZoneInfo(db.settings.timezone)

    def search(self, s: Session, q: Search, user_id: int | None) -> list[Vehicle]:
        """Bookable vehicles for the criteria, as this user may see them."""
        return search.search(s, q, user_id, self.tz, self.policy)

    def search_rows(self, q: Search, user_id: int | None) -> list[Any]:
        """The same search as plain rows (the JSON API's hot path)."""
        return search.search_rows(self.db, q, user_id, self.tz, self.policy)

    def quote(
        self,
        user_id: int,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        company_id: int | None = None,
        expected_km: Decimal | None = None,
    ) -> PriceQuote:
        """Price a planned booking (shown before confirmation; a company's price to members)."""
        rules.validate_slot(start, end, utcnow(), self.policy)
        with self.db.sessions() as s:
            vehicle = s.get(Vehicle, vehicle_id)
            if vehicle is None:
                raise NotFound(N_("No such vehicle."))
            if company_id is not None:
                _membership(s, user_id, company_id)
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
            raise NotFound(N_("No such vehicle."))
        return vehicle

    def _assert_free(
        self,
        s: Session,
        vehicle_id: int,
        start: datetime,
        block_end: datetime,
        ignore_booking: int | None = None,
    ) -> None:
        # rules.overlaps in SQL: [start, block_end) against every holding booking's slot.
        clash = select(Booking.id).where(
            Booking.vehicle_id == vehicle_id,
            Booking.status.in_(HOLDING_STATES),
            and_(Booking.start_at < block_end, Booking.block_end_at > start),
        )
        if ignore_booking is not None:
            clash = clash.where(Booking.id != ignore_booking)
        if s.scalar(clash.limit(1)) is not None:
            raise Conflict(
                N_("This vehicle is already booked for part of that time."), code="slot_taken"
            )

    def _admit(
        self, s: Session, slot: Slot, ignore_booking: int | None = None, running: bool = False
    ) -> Admission:
        """Every check a booking must pass, on creation and on every change; and its price.

        A booking under way (`running`) holds its vehicle already: only the vehicle's state is
        not asked again, every other check is.
        """
        vehicle, now = slot.vehicle, utcnow()
        if not running:
            rules.bookable_state(vehicle.state, slot.start, now, self.policy)
        membership = None
        if slot.company_id is not None:
            # Locks the member row: a removed member cannot slip a booking in meanwhile.
            membership = _membership(s, slot.user_id, slot.company_id, lock=True)
        problem = rules.access_problem(
            vehicle.visibility,
            vehicle.public_hours,
            vehicle.owner_company_id,
            slot.company_id,
            slot.start,
            slot.end,
            self.tz,
        )
        if problem:
            raise Forbidden(problem)
        self._check_licence(s, slot)
        block_end = rules.blocked_until(slot.end, self.policy)
        self._assert_free(s, vehicle.id, slot.start, block_end, ignore_booking)
        quote = self.billing.quote_booking(
            s,
            vehicle=vehicle,
            user_id=slot.user_id,
            company_id=slot.company_id,
            start_at=slot.start,
            end_at=slot.end,
        )
        if membership is not None:
            spending = _spending(s, membership, rules.month_start(now, self.tz), ignore_booking)
            rules.check_company_booking(
                vehicle.kind,
                vehicle.hub_id,
                membership.allowed_vehicle_kinds,
                membership.allowed_hub_ids,
                spending,
                quote.total_minor,
                quote.currency,
            )
        return Admission(membership, quote, block_end)

    def _check_licence(self, s: Session, slot: Slot) -> None:
        """E-cars need the booker's driving licence checked and valid until the booking ends."""
        if slot.vehicle.kind != VehicleKind.ECAR:
            return
        user = s.get(User, slot.user_id)
        if user is None:
            raise NotFound("No such user.")
        licence = Licence(
            user.driving_licence_number,
            user.driving_licence_expires_on,
            user.driving_licence_verified_at,
        )
        rules.check_licence(slot.vehicle.kind, licence, slot.end, self.tz)

    def create(
        self,
        user_id: int,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        *,
        company_id: int | None = None,
        min_soc: int | None = None,
        expected_km: Decimal | None = None,
    ) -> Booking:
        """Book a vehicle for a slot (start <= now means rent now)."""
        rules.validate_slot(start, end, utcnow(), self.policy)
        rules.validate_trip(min_soc, expected_km)
        self._check_energy(vehicle_id, start, end, expected_km, min_soc)
        with self.db.transaction() as s:
            user = s.get(User, user_id)
            vehicle = self._lock_vehicle(s, vehicle_id)
            if user is None:
                raise NotFound(N_("No such user."))
            admitted = self._admit(s, Slot(user.id, vehicle, company_id, start, end))
            membership, quote = admitted.membership, admitted.quote
            booking = Booking(
                user_id=user.id,
                vehicle_id=vehicle.id,
                hub_id=vehicle.hub_id,
                company_id=company_id,
                cost_centre_id=membership.cost_centre_id if membership else None,
                start_at=start,
                end_at=end,
                block_end_at=admitted.block_end,
                min_soc_percent=min_soc,
                expected_distance_km=expected_km,
                quote_minor=quote.total_minor,
                currency=quote.currency,
                status=BookingStatus.CONFIRMED,
            )
            s.add(booking)
            s.flush()
            hold = self.billing.hold_booking(s, booking)
        # Committed; the hold was placed with the provider right after, outside any lock.
        if hold is not None and self._refused(hold.idempotency_key):
            self._undo(booking.id, cancel=True)
        return booking

    def expected_soc(self, vehicle_id: int, at: datetime) -> float | None:
        """The car's expected charge (0..1) at `at` under smart charging, when it is planned."""
        return self.outlook.expected_soc(vehicle_id, at)

    def pickup_range(self, vehicle: Vehicle, at: datetime) -> rules.PickupRange:
        """Charge and range when picked up at `at`: the charging plan's, else the last reading."""
        return rules.pickup_range(
            vehicle.max_range_km,
            vehicle.battery_kwh,
            vehicle.soc_percent,
            self.expected_soc(vehicle.id, at),
        )

    def _check_energy(
        self,
        vehicle_id: int,
        start: datetime,
        end: datetime,
        expected_km: Decimal | None,
        min_soc: int | None,
        ignore_booking: int | None = None,
    ) -> None:
        """Refuse a trip the hub cannot charge the car for in time (asked before any lock)."""
        check = self.outlook.check_trip(
            vehicle_id,
            start,
            end,
            None if expected_km is None else float(expected_km),
            None if min_soc is None else min_soc / 100,
            ignore_booking,
        )
        if check is not None and not check.ok:
            raise Conflict(
                check.message,
                code="not_enough_charge",
                expected_soc_percent=int(check.expected_soc * 100),
                target_soc_percent=round(check.target_soc * 100),
            )

    def _own_booking(
        self, s: Session, user_id: int | None, booking_id: int, lock: bool = True
    ) -> Booking:
        """The booking, of this user (None: an operator's, anyone's)."""
        booking = s.get(Booking, booking_id, with_for_update=lock)
        if booking is None or (user_id is not None and booking.user_id != user_id):
            raise NotFound(N_("No such booking."))
        return booking

    def modify(self, user_id: int, booking_id: int, start: datetime, end: datetime) -> Booking:
        """Move or resize a confirmed booking (same vehicle): every booking check applies again."""
        return self._move(user_id, booking_id, start, end)

    def reschedule(
        self, booking_id: int, start: datetime, end: datetime, *, note: Note | None = None
    ) -> Booking:
        """An operator moves a booking: every rule applies as for its booker, the same price."""
        return self._move(None, booking_id, start, end, note)

    def _move(
        self,
        owner: int | None,
        booking_id: int,
        start: datetime,
        end: datetime,
        note: Note | None = None,
    ) -> Booking:
        rules.validate_slot(start, end, utcnow(), self.policy)
        with self.db.sessions() as s:
            mine = self._own_booking(s, owner, booking_id, lock=False)
            trip = (mine.vehicle_id, mine.expected_distance_km, mine.min_soc_percent)
        self._check_energy(trip[0], start, end, trip[1], trip[2], ignore_booking=booking_id)
        with self.db.transaction() as s:
            booking = self._own_booking(s, owner, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(N_("Only confirmed bookings that have not started can be changed."))
            vehicle = self._lock_vehicle(s, booking.vehicle_id)
            slot = Slot(booking.user_id, vehicle, booking.company_id, start, end)
            admitted = self._admit(s, slot, ignore_booking=booking.id)
            before = (booking.start_at, booking.end_at, booking.block_end_at, booking.quote_minor)
            booking.start_at, booking.end_at = start, end
            booking.block_end_at = admitted.block_end
            booking.quote_minor = admitted.quote.total_minor
            if note is not None:
                note(s, _moved(before, booking))
            hold = self.billing.hold_booking(s, booking)
        if hold is not None and self._refused(hold.idempotency_key):
            self._undo(booking.id, restore=before)
        return booking

    def extend(self, user_id: int, booking_id: int, end: datetime) -> Booking:
        """End a booking later: a trip under way keeps its vehicle; every booking check applies
        again (next booking of the vehicle, hours, limits) and the payment hold is re-placed."""
        with self.db.sessions() as s:
            mine = self._own_booking(s, user_id, booking_id, lock=False)
            status, start = mine.status, mine.start_at
            trip = (mine.vehicle_id, mine.expected_distance_km, mine.min_soc_percent)
        if status == BookingStatus.CONFIRMED:
            return self.modify(user_id, booking_id, start, end)
        if status != BookingStatus.ACTIVE:
            raise Conflict(
                N_("Only a booking that is confirmed or under way can be extended."),
                code="not_extendable",
            )
        now = utcnow()
        self._check_energy(trip[0], max(start, now), end, trip[1], trip[2], booking_id)
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.ACTIVE:
                raise Conflict(N_("This trip has ended."), code="not_extendable")
            rules.validate_extension(booking.start_at, booking.end_at, end, now, self.policy)
            vehicle = self._lock_vehicle(s, booking.vehicle_id)
            slot = Slot(user_id, vehicle, booking.company_id, booking.start_at, end)
            admitted = self._admit(s, slot, ignore_booking=booking.id, running=True)
            before = (booking.start_at, booking.end_at, booking.block_end_at, booking.quote_minor)
            booking.end_at, booking.block_end_at = end, admitted.block_end
            booking.quote_minor = admitted.quote.total_minor
            hold = self.billing.hold_booking(s, booking)
        if hold is not None and self._refused(hold.idempotency_key):
            self._undo(booking.id, restore=before)
        return booking

    def cancellation_fee(self, user_id: int, booking_id: int) -> tuple[Booking, int]:
        """What cancelling this booking would cost now (0: free)."""
        with self.db.sessions() as s:
            booking = self._own_booking(s, user_id, booking_id, lock=False)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(f"This booking is {booking.status} and cannot be cancelled.")
            fee = rules.cancellation_fee(
                booking.quote_minor, booking.start_at, utcnow(), self.policy
            )
            return booking, fee

    def _refused(self, hold_key: str) -> bool:
        """Whether the provider refused the hold placed after commit."""
        payment = self.billing.payment(hold_key)
        return payment is not None and payment.status == PaymentStatus.FAILED

    def _undo(
        self,
        booking_id: int,
        cancel: bool = False,
        restore: tuple[datetime, datetime, datetime, int] | None = None,
    ) -> None:
        """A refused hold: a new booking is cancelled, a change is rolled back; then say why."""
        with self.db.transaction() as s:
            booking = s.get(Booking, booking_id, with_for_update=True)
            assert booking is not None
            if cancel and booking.status == BookingStatus.CONFIRMED:
                booking.status, booking.cancelled_at = BookingStatus.CANCELLED, utcnow()
            elif restore is not None:
                booking.start_at, booking.end_at, booking.block_end_at = restore[:3]
                booking.quote_minor = restore[3]
            reason = s.scalar(
                select(Payment.failure_reason)
                .where(Payment.booking_id == booking_id, Payment.status == PaymentStatus.FAILED)
                .order_by(Payment.id.desc())
                .limit(1)
            )
        raise PaymentFailed(reason or N_("The payment provider refused the payment."))

    def cancel(
        self, user_id: int, booking_id: int, accept_fee_minor: int | None = None
    ) -> tuple[Booking, Invoice | None]:
        """Cancel: free before the cut-off, the late fee after it.

        `accept_fee_minor` is the fee the user confirmed: a higher one (the cut-off passed
        meanwhile) is refused, so nobody pays a fee they were not shown.
        """
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(
                    N_("Only confirmed bookings that have not started can be cancelled.")
                )
            fee = rules.cancellation_fee(booking.quote_minor, booking.start_at, now, self.policy)
            if not rules.fee_accepted(fee, accept_fee_minor):
                raise Conflict(
                    N_("Cancelling now costs a fee: confirm it to cancel."),
                    code="fee_not_accepted",
                    fee_minor=fee,
                    currency=booking.currency,
                )
            return booking, self._release(s, booking, BookingStatus.CANCELLED, fee, now)

    def cancel_for(
        self, booking_id: int, charge_fee: bool, *, note: Note | None = None
    ) -> tuple[Booking, Invoice | None]:
        """An operator cancels a confirmed booking, waiving the fee or charging the late fee."""
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, None, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(f"This booking is {booking.status} and cannot be cancelled.")
            fee = rules.operator_fee(booking.quote_minor, charge_fee, self.policy)
            invoice = self._release(s, booking, BookingStatus.CANCELLED, fee, now)
            if note is not None:
                note(s, _charged(fee, invoice))
            return booking, invoice

    def mark_no_show(
        self, booking_id: int, charge_fee: bool, *, note: Note | None = None
    ) -> tuple[Booking, Invoice | None]:
        """An operator records a no-show after its start, or charges one released with no fee."""
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, None, booking_id)
            rules.no_show_adjustable(booking.status, booking.cancel_fee_minor, charge_fee)
            rules.no_show_started(booking.start_at, now)
            fee = rules.operator_fee(booking.quote_minor, charge_fee, self.policy)
            if booking.status == BookingStatus.NO_SHOW:  # released by the job: the fee only
                booking.cancel_fee_minor = fee
                invoice = self.billing.cancel_booking(s, booking, fee)
            else:
                invoice = self._release(s, booking, BookingStatus.NO_SHOW, fee, now)
            if note is not None:
                note(s, _charged(fee, invoice))
            return booking, invoice

    def _release(
        self, s: Session, booking: Booking, status: BookingStatus, fee: int, now: datetime
    ) -> Invoice | None:
        """End a confirmed booking: its slot freed, its hold released or the fee charged."""
        booking.status = status
        if status == BookingStatus.NO_SHOW:
            booking.no_show_at = now
        else:
            booking.cancelled_at = now
        booking.cancel_fee_minor = fee
        invoice = self.billing.cancel_booking(s, booking, fee)
        if self.outbox is not None:
            key = f"{BOOKING_CANCELLED}:{booking.id}"
            self.outbox.record(s, BOOKING_CANCELLED, key, {"booking_id": booking.id})
        return invoice

    def start_trip(self, user_id: int, booking_id: int) -> Trip:
        """Unlock the vehicle: the booking becomes active and the trip starts."""
        now = utcnow()
        with self.db.transaction() as s:
            booking = self._own_booking(s, user_id, booking_id)
            if booking.status != BookingStatus.CONFIRMED:
                raise Conflict(N_("Only confirmed bookings can be started."))
            if now < booking.start_at - self.policy.start_slack * 5:
                raise Conflict(N_("Your booking has not started yet."), code="too_early")
            if now >= booking.end_at:
                raise Conflict(N_("Your booking has already ended."), code="too_late")
            vehicle = self._lock_vehicle(s, booking.vehicle_id)
            if vehicle.state != VehicleState.AVAILABLE:
                raise Conflict(
                    N_("The vehicle is not ready to be unlocked."), code="vehicle_unavailable"
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
        hub_id: int | None,
        readings: rules.TripReadings,
    ) -> tuple[Trip, Invoice]:
        """Lock the vehicle at a hub (by default where it was picked up); bill the trip once."""
        now = utcnow()
        with self.db.transaction() as s:
            trip = s.get(Trip, trip_id, with_for_update=True)
            if trip is None or trip.user_id != user_id:
                raise NotFound(N_("No such trip."))
            if trip.status == TripStatus.ENDED:
                invoice = self.billing.receipt(s, trip.id)
                assert invoice is not None
                return trip, invoice  # a double tap or network retry: same receipt, no new charge
            hub = s.get(Hub, hub_id if hub_id is not None else trip.start_hub_id)
            if hub is None or not hub.is_active:
                raise ValidationFailed(N_("Choose a hub to end the trip at."), field="hub_id")
            vehicle = self._lock_vehicle(s, trip.vehicle_id)
            _close_trip(s, trip, vehicle, hub, readings, now)
            invoice = self.billing.settle_trip(s, trip)
            return trip, invoice

    def release_no_shows(self) -> list[int]:
        """Confirmed bookings not started after the grace period release their vehicle (job)."""
        now = utcnow()
        # rules.no_show_due in SQL: start + grace <= now.
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
                claimed = rowcount(
                    s.execute(
                        update(Booking)
                        .where(Booking.id == booking_id, Booking.status == BookingStatus.CONFIRMED)
                        .values(status=BookingStatus.NO_SHOW, no_show_at=now)
                    )
                )
                if claimed:
                    booking = s.get(Booking, booking_id)
                    assert booking is not None
                    self.billing.cancel_booking(s, booking, 0)
                    released.append(booking_id)
        return released

    def require_owner(self, s: Session, user_id: int, booking_id: int) -> Booking:
        """A booking of this user (404 for anyone else's)."""
        return self._own_booking(s, user_id, booking_id, lock=False)


def _moved(before: tuple[datetime, datetime, datetime, int], after: Booking) -> dict[str, Any]:
    """What an operator's move changed, for their record."""
    return {
        "start_at": [as_utc(before[0]).isoformat(), as_utc(after.start_at).isoformat()],
        "end_at": [as_utc(before[1]).isoformat(), as_utc(after.end_at).isoformat()],
        "quote_minor": [before[3], after.quote_minor],
    }


def _charged(fee: int, invoice: Invoice | None) -> dict[str, Any]:
    """What an operator's cancellation or no-show charged, for their record."""
    return {"fee_minor": fee, "invoice": invoice.number if invoice else None}


def _close_trip(
    s: Session, trip: Trip, vehicle: Vehicle, hub: Hub, readings: rules.TripReadings, now: datetime
) -> None:
    """Record the end of a trip: bounded readings, the vehicle parked and locked at the hub."""
    duration = int((now - trip.started_at).total_seconds())
    # Readings are checked against the vehicle's own last odometer, not the client's.
    distance = rules.trip_distance(
        vehicle.kind,
        vehicle.odometer_km,
        trip.start_soc_percent,
        vehicle.max_range_km,
        duration,
        readings,
    )
    trip.ended_at, trip.end_hub_id = now, hub.id
    trip.end_soc_percent = readings.end_soc
    trip.distance_km = distance
    trip.end_odometer_km = vehicle.odometer_km + distance
    trip.duration_s = duration
    trip.status = TripStatus.ENDED
    vehicle.state, vehicle.locked, vehicle.hub_id = VehicleState.AVAILABLE, True, hub.id
    vehicle.soc_percent, vehicle.odometer_km = readings.end_soc, trip.end_odometer_km
    # Open data must not let anyone follow a vehicle from one trip to the next.
    vehicle.public_id = new_public_id()
    if trip.booking_id is not None:
        booking = s.get(Booking, trip.booking_id)
        if booking is not None:
            booking.status = BookingStatus.COMPLETED


@dataclass(frozen=True)
class Slot:
    """Who wants which vehicle, under which account, when."""

    user_id: int
    vehicle: Vehicle
    company_id: int | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Admission:
    """A booking that passed every check: its membership (company bookings), price and block."""

    membership: Membership | None
    quote: PriceQuote
    block_end: datetime


def _membership(s: Session, user_id: int, company_id: int, lock: bool = False) -> Membership:
    """The user's active membership of the company, or Forbidden."""
    stmt = select(Membership).where(
        Membership.user_id == user_id,
        Membership.company_id == company_id,
        Membership.status == MembershipStatus.ACTIVE,
    )
    membership = s.scalar(stmt.with_for_update() if lock else stmt)
    if membership is None:
        raise Forbidden(N_("You are not an active member of that company account."))
    return membership


def _spending(
    s: Session, membership: Membership, since: datetime, ignore_booking: int | None
) -> rules.Spending:
    """This month's company bookings of the member and of the whole company.

    The company row is locked first: concurrent bookings of one company queue here, so two
    of them can never both fit under a limit that only one fits under.
    """
    company = s.get(Company, membership.company_id, with_for_update=True)
    assert company is not None
    stmt = select(func.coalesce(func.sum(Booking.quote_minor), 0)).where(
        Booking.company_id == company.id,
        Booking.created_at >= since,
        Booking.status.in_(
            (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED)
        ),
    )
    if ignore_booking is not None:
        stmt = stmt.where(Booking.id != ignore_booking)
    member = stmt.where(Booking.user_id == membership.user_id)
    return rules.Spending(
        member_spent=int(s.scalar(member) or 0),
        member_limit=membership.monthly_limit_minor,
        company_spent=int(s.scalar(stmt) or 0),
        company_limit=company.monthly_limit_minor,
    )


def forbid_other(user_id: int, owner_id: int) -> None:
    """Hide other users' records (404 rather than 403 to avoid leaking ids)."""
    if user_id != owner_id:
        raise NotFound(N_("Not found."))


__all__ = ["BookingService", "Forbidden", "Search", "forbid_other"]
