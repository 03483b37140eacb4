"""The no-show job releases vehicles once, safe to run twice."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from mobility.app import build_core
from mobility.demo import seed_demo
from mobility.models import Booking, Payment, User, Vehicle


def test_no_show_releases_the_slot_and_the_hold_once(db, settings):
    seed_demo(db)
    with db.sessions() as s:
        user = s.scalar(select(User).where(User.email == "citizen@example.org")).id
        bike = s.scalar(select(Vehicle).where(Vehicle.code == "BIKE-201")).id
    service = build_core(settings, db=db).bookings
    now = datetime.now(UTC)
    booking = service.create(user, bike, now, now + timedelta(hours=1))
    with db.transaction() as s:
        s.execute(update(Booking).values(start_at=now - timedelta(minutes=20)))
    assert service.release_no_shows() == [booking.id]
    assert service.release_no_shows() == []
    with db.sessions() as s:
        assert s.get(Booking, booking.id).status == "no_show"
        kinds = sorted((p.kind, p.status) for p in s.scalars(select(Payment)))
        assert kinds == [("hold", "cancelled"), ("release", "cancelled")]
    again = service.create(user, bike, now + timedelta(minutes=1), now + timedelta(hours=1))
    assert again.id != booking.id
