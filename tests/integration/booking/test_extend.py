"""Extending a booking under way on the real database: every booking check, a new hold, races."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from mobility.app import Core, build_core
from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.errors import Conflict, Forbidden, LimitExceeded, ValidationFailed
from mobility.models import (
    Booking,
    Company,
    Membership,
    Payment,
    User,
    Vehicle,
    VehicleState,
    VehicleVisibility,
)


@pytest.fixture
def core(db, settings) -> Any:
    seed_demo(db)
    built = build_core(settings, db=db)
    yield built
    built.outbox.close()


def _id(db: Any, model: Any, **where: Any) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(model.id).filter_by(**where)))


def _riding(core: Core, user: int, vehicle: int, minutes: int = 60, **kw: Any) -> Booking:
    """A booking starting now whose trip is under way."""
    now = utcnow().replace(microsecond=0)
    booking = core.bookings.create(user, vehicle, now, now + timedelta(minutes=minutes), **kw)
    core.bookings.start_trip(user, booking.id)
    return booking


def _booking(db: Any, booking_id: int) -> Booking:
    with db.sessions() as s:
        found = s.get(Booking, booking_id)
        assert found is not None
        return found


def test_a_trip_under_way_is_extended_and_its_hold_reauthorised(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    bike = _id(db, Vehicle, code="BIKE-101")
    booking = _riding(core, citizen, bike, 30)
    longer = core.bookings.extend(citizen, booking.id, booking.end_at + timedelta(hours=1))
    assert longer.end_at == booking.end_at + timedelta(hours=1)
    assert longer.block_end_at == longer.end_at + core.bookings.policy.buffer
    assert longer.quote_minor > booking.quote_minor
    assert _booking(db, booking.id).status == "active"
    core.outbox.flush(10)
    with db.sessions() as s:
        holds = s.scalars(select(Payment).where(Payment.kind == "hold").order_by(Payment.id)).all()
        assert [(p.amount_minor, p.status) for p in holds] == [
            (booking.quote_minor, "cancelled"),
            (longer.quote_minor, "requires_capture"),
        ]


def test_the_next_booking_of_the_vehicle_stops_an_extension(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    other = _id(db, User, email="driver@example.org")
    bike = _id(db, Vehicle, code="BIKE-101")
    booking = _riding(core, citizen, bike, 30)
    # The next rider's slot starts one hour after this booking's end.
    next_start = booking.end_at + timedelta(hours=1)
    core.bookings.create(other, bike, next_start, next_start + timedelta(hours=1))
    fits = booking.end_at + timedelta(minutes=45)  # + 10 min buffer: still before the next
    assert core.bookings.extend(citizen, booking.id, fits).end_at == fits
    with pytest.raises(Conflict) as refused:
        core.bookings.extend(citizen, booking.id, fits + timedelta(minutes=15))
    assert refused.value.code == "slot_taken"
    kept = _booking(db, booking.id)
    assert kept.end_at == fits and kept.status == "active"


def test_extension_rules_time_and_state(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    bike = _id(db, Vehicle, code="BIKE-102")
    booking = _riding(core, citizen, bike, 30)
    with pytest.raises(ValidationFailed, match="after the current end"):
        core.bookings.extend(citizen, booking.id, booking.end_at)
    with pytest.raises(ValidationFailed, match="cannot last that long"):
        core.bookings.extend(citizen, booking.id, booking.start_at + timedelta(days=8))
    other = _id(db, User, email="driver@example.org")
    with pytest.raises(Exception, match="No such booking"):
        core.bookings.extend(other, booking.id, booking.end_at + timedelta(minutes=15))


def test_shared_hours_and_company_limits_apply_to_an_extension(db, core: Core):
    driver = _id(db, User, email="driver@example.org")
    company = _id(db, Company, vat_id="FR40303265045")
    car = _id(db, Vehicle, code="CAR-101")
    booking = _riding(core, driver, car, 30, company_id=company)
    with db.transaction() as s:  # the member's limit leaves a little room
        s.execute(update(Membership).values(monthly_limit_minor=booking.quote_minor + 500))
    with pytest.raises(LimitExceeded):
        core.bookings.extend(driver, booking.id, booking.end_at + timedelta(hours=3))
    with db.transaction() as s:
        s.execute(update(Membership).values(monthly_limit_minor=None))
        # The car becomes members-only of another company: the company booking is refused.
        s.execute(
            update(Vehicle)
            .where(Vehicle.id == car)
            .values(visibility=VehicleVisibility.FLEET_ONLY, owner_company_id=None)
        )
    with pytest.raises(Forbidden):
        core.bookings.extend(driver, booking.id, booking.end_at + timedelta(minutes=15))
    assert _booking(db, booking.id).end_at == booking.end_at


def test_a_confirmed_booking_is_extended_like_a_change(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    bike = _id(db, Vehicle, code="BIKE-103")
    start = utcnow().replace(microsecond=0) + timedelta(hours=3)
    booking = core.bookings.create(citizen, bike, start, start + timedelta(hours=1))
    longer = core.bookings.extend(citizen, booking.id, start + timedelta(hours=2))
    assert (longer.status, longer.end_at) == ("confirmed", start + timedelta(hours=2))
    with db.transaction() as s:  # a vehicle in maintenance cannot take a changed booking
        s.execute(update(Vehicle).where(Vehicle.id == bike).values(state=VehicleState.MAINTENANCE))
    with pytest.raises(Conflict, match="maintenance"):
        core.bookings.extend(citizen, booking.id, start + timedelta(hours=3))


def test_an_extension_racing_a_new_booking_never_double_books(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    other = _id(db, User, email="driver@example.org")
    bike = _id(db, Vehicle, code="BIKE-104")
    booking = _riding(core, citizen, bike, 30)
    wanted_end = booking.end_at + timedelta(hours=2)
    next_start = booking.end_at + timedelta(hours=1)
    outcomes: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def extend() -> None:
        barrier.wait()
        try:
            core.bookings.extend(citizen, booking.id, wanted_end)
            outcomes["extend"] = "ok"
        except Conflict as exc:
            outcomes["extend"] = exc.code

    def book() -> None:
        barrier.wait()
        try:
            core.bookings.create(other, bike, next_start, next_start + timedelta(hours=1))
            outcomes["book"] = "ok"
        except Conflict as exc:
            outcomes["book"] = exc.code

    threads = [threading.Thread(target=extend), threading.Thread(target=book)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes.values()) == ["ok", "slot_taken"], outcomes
    with db.sessions() as s:
        holding = s.scalars(
            select(Booking)
            .where(Booking.vehicle_id == bike, Booking.status.in_(("confirmed", "active")))
            .order_by(Booking.start_at)
        ).all()
    for first, second in itertools.pairwise(holding):
        assert first.block_end_at <= second.start_at


def test_cancelling_with_a_fee_needs_that_fee_accepted(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    bike = _id(db, Vehicle, code="BIKE-201")
    soon = utcnow().replace(microsecond=0) + timedelta(minutes=20)
    booking = core.bookings.create(citizen, bike, soon, soon + timedelta(hours=1))
    _, fee = core.bookings.cancellation_fee(citizen, booking.id)
    assert fee == min(core.bookings.policy.late_cancel_fee_minor, booking.quote_minor) > 0
    with pytest.raises(Conflict) as refused:
        core.bookings.cancel(citizen, booking.id, accept_fee_minor=0)
    assert refused.value.code == "fee_not_accepted"
    assert refused.value.details["fee_minor"] == fee
    assert _booking(db, booking.id).status == "confirmed"
    cancelled, invoice = core.bookings.cancel(citizen, booking.id, accept_fee_minor=fee)
    assert cancelled.cancel_fee_minor == fee and invoice is not None
    # Free cancellations go through with nothing accepted.
    later = utcnow().replace(microsecond=0) + timedelta(hours=5)
    free = core.bookings.create(citizen, bike, later, later + timedelta(hours=1))
    assert core.bookings.cancel(citizen, free.id, accept_fee_minor=0)[1] is None
