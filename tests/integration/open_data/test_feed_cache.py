"""The feed cache reads the database at most once per ttl and rebuilds on change or with time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.models import Booking, User, Vehicle
from open_data.cache import FeedCache
from open_data.snapshot import Reader
from open_data.system import feed_config

TURN, HORIZON = timedelta(minutes=10), timedelta(days=60)


class Counting(Reader):
    """A real reader that counts its queries."""

    markers = snapshots = 0

    def marker(self):  # type: ignore[no-untyped-def]
        self.markers += 1
        return super().marker()

    def snapshot(self, now):  # type: ignore[no-untyped-def]
        self.snapshots += 1
        return super().snapshot(now)


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now


def _cache(settings, db, ttl: int):  # type: ignore[no-untyped-def]
    reader, clock = Counting(db, HORIZON), Clock()
    cfg = feed_config(settings.with_(gbfs_ttl=ttl), TURN, HORIZON)
    return FeedCache(cfg, reader, clock), reader, clock


def test_within_ttl_the_database_is_not_read_and_a_change_shows_after_it(settings, db):
    seed_demo(db)
    cache, reader, clock = _cache(settings, db, ttl=30)
    first, max_age = cache.get("3.0", "vehicle_status")
    assert max_age == 30 and (reader.markers, reader.snapshots) == (1, 1)
    with db.transaction() as s:
        s.execute(update(Vehicle).where(Vehicle.code == "BIKE-101").values(state="maintenance"))
    clock.now += timedelta(seconds=10)
    again, max_age = cache.get("3.0", "vehicle_status")
    assert again is first and max_age == 20 and reader.markers == 1
    clock.now += timedelta(seconds=25)
    changed, _ = cache.get("3.0", "vehicle_status")
    assert changed.etag != first.etag and reader.snapshots == 2


def test_unchanged_data_keeps_documents_past_the_race_window(settings, db):
    seed_demo(db)
    cache, reader, clock = _cache(settings, db, ttl=30)
    clock.now += timedelta(minutes=1)  # the seed's changes are well before the first read
    types, _ = cache.get("3.0", "vehicle_types")
    clock.now += timedelta(seconds=31)
    same, _ = cache.get("3.0", "vehicle_types")
    assert same is types and reader.markers == 2 and reader.snapshots == 1


def test_a_booking_starting_later_turns_the_vehicle_reserved_without_new_data(settings, db):
    seed_demo(db)
    with db.transaction() as s:
        car = s.scalar(select(Vehicle).where(Vehicle.code == "CAR-101"))
        user = User(email="x@example.org", password_hash="x", full_name="X")
        s.add(user)
        s.flush()
        start = utcnow() + timedelta(hours=1)
        s.add(
            Booking(
                user_id=user.id,
                vehicle_id=car.id,
                start_at=start,
                end_at=start + timedelta(hours=1),
                block_end_at=start + timedelta(hours=1) + TURN,
            )
        )
        car_id = car.public_id
    cache, reader, clock = _cache(settings, db, ttl=3600)
    clock.now += timedelta(minutes=1)
    doc, max_age = cache.get("3.0", "vehicle_status")
    assert not _car(doc, car_id)["is_reserved"] and max_age <= 300  # live: five minutes at most
    clock.now = start - TURN + timedelta(seconds=1)
    doc, _ = cache.get("3.0", "vehicle_status")
    assert _car(doc, car_id)["is_reserved"] and reader.snapshots == 1


def _car(doc, public_id):  # type: ignore[no-untyped-def]
    return next(v for v in doc.data["vehicles"] if v["vehicle_id"] == public_id)


def test_a_live_feed_read_again_without_change_keeps_its_etag_for_five_minutes(settings, db):
    # Right after a change every request reads the data again (the race window): a live feed
    # built a second later from the same data must not get a new last_updated, hence a new
    # ETag, or every client's conditional GET misses.
    seed_demo(db)
    cache, reader, clock = _cache(settings, db, ttl=0)
    first, _ = cache.get("3.0", "vehicle_status")
    clock.now += timedelta(seconds=2)
    again, _ = cache.get("3.0", "vehicle_status")
    assert reader.snapshots == 2 and again.etag == first.etag
    clock.now += timedelta(minutes=5)
    later, _ = cache.get("3.0", "vehicle_status")
    assert later.data == first.data and later.last_updated == clock.now
    assert later.etag != first.etag  # near-realtime feeds say they are current
