"""BookingService on the real database (no HTTP): every rule holds on creation and on change."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from mobility.app import Core, build_core
from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.errors import Conflict, Forbidden, LimitExceeded
from mobility.models import (
    Booking,
    Company,
    Membership,
    MembershipStatus,
    Payment,
    User,
    Vehicle,
    VehicleState,
    VehicleVisibility,
)

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def core(db, settings) -> Any:
    seed_demo(db)
    built = build_core(settings, db=db)
    yield built
    built.outbox.close()


def _id(db: Any, model: Any, **where: Any) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(model.id).filter_by(**where)))


def _tomorrow(hour: int) -> datetime:
    day = (utcnow() + timedelta(days=1)).astimezone(PARIS).date()
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def test_a_change_is_checked_like_a_new_booking(db, core: Core):
    driver = _id(db, User, email="driver@example.org")
    company = _id(db, Company, vat_id="FR40303265045")
    car = _id(db, Vehicle, code="CAR-101")
    start = _tomorrow(9)
    end = start + timedelta(hours=1)
    booking = core.bookings.create(driver, car, start, end, company_id=company)
    with db.transaction() as s:  # the member's limit (300.00) is nearly used up
        s.execute(update(Membership).values(monthly_limit_minor=booking.quote_minor + 100))
    with pytest.raises(LimitExceeded):
        core.bookings.modify(driver, booking.id, start, start + timedelta(days=6))
    with db.transaction() as s:  # removed from the company: may no longer move its booking
        s.execute(update(Membership).values(status=MembershipStatus.REMOVED))
    with pytest.raises(Forbidden):
        core.bookings.modify(driver, booking.id, start, start + timedelta(minutes=30))
    with db.transaction() as s:
        s.execute(update(Membership).values(status=MembershipStatus.ACTIVE))
        s.execute(update(Vehicle).where(Vehicle.id == car).values(state=VehicleState.MAINTENANCE))
    with pytest.raises(Conflict, match="maintenance"):
        core.bookings.modify(driver, booking.id, start, start + timedelta(minutes=30))
    with db.sessions() as s:
        kept = s.get(Booking, booking.id)
        assert (kept.start_at, kept.end_at) == (start, end)


def test_a_private_change_reauthorises_the_hold_for_the_new_amount(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    bike = _id(db, Vehicle, code="BIKE-101")
    start = _tomorrow(9)
    booking = core.bookings.create(citizen, bike, start, start + timedelta(minutes=30))
    changed = core.bookings.modify(citizen, booking.id, start, start + timedelta(hours=2))
    assert changed.quote_minor > booking.quote_minor
    core.outbox.flush(10)  # the new hold releases the old one on the outbox's workers
    with db.sessions() as s:
        holds = s.scalars(select(Payment).where(Payment.kind == "hold").order_by(Payment.id)).all()
        assert [(p.amount_minor, p.status) for p in holds] == [
            (booking.quote_minor, "cancelled"),
            (changed.quote_minor, "requires_capture"),
        ]


def test_shared_hours_cover_the_whole_booked_interval(db, core: Core):
    citizen = _id(db, User, email="citizen@example.org")
    company = _id(db, Company, vat_id="FR40303265045")
    car = _id(db, Vehicle, code="CAR-102")
    hours = {d: [["07:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    with db.transaction() as s:
        s.execute(
            update(Vehicle)
            .where(Vehicle.id == car)
            .values(
                visibility=VehicleVisibility.SHARED_HOURS,
                owner_company_id=company,
                public_hours=hours,
            )
        )
    evening = _tomorrow(18)
    # Starts and ends inside public hours, but runs through the closed night.
    with pytest.raises(Forbidden):
        core.bookings.create(citizen, car, evening, evening + timedelta(hours=15))
    daytime = core.bookings.create(citizen, car, _tomorrow(8), _tomorrow(12))
    assert daytime.id


def test_concurrent_company_bookings_never_exceed_the_limit(db, core: Core):
    driver = _id(db, User, email="driver@example.org")
    company = _id(db, Company, vat_id="FR40303265045")
    with db.transaction() as s:
        s.execute(update(Company).values(monthly_limit_minor=3000))
        s.execute(update(Membership).values(monthly_limit_minor=None))
        cars = list(s.scalars(select(Vehicle.id).where(Vehicle.kind == "ecar")))
    start = _tomorrow(10)
    results: list[str] = []
    barrier = threading.Barrier(len(cars))

    def book(car: int) -> None:
        barrier.wait()
        try:
            core.bookings.create(driver, car, start, start + timedelta(hours=1), company_id=company)
            results.append("ok")
        except LimitExceeded:
            results.append("limit")

    threads = [threading.Thread(target=book, args=(car,)) for car in cars]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    with db.sessions() as s:
        spent = s.scalar(select(func.sum(Booking.quote_minor)).where(Booking.company_id == company))
        one = s.scalar(select(Booking.quote_minor).limit(1))
    assert len(results) == len(cars) and "limit" in results
    assert spent <= 3000 and results.count("ok") == 3000 // one
