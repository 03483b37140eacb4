"""Where SQL repeats a booking rule for speed, it decides exactly as the pure rule does."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from booking import rules
from booking.search import Search
from mobility.app import build_core
from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.models import HOLDING_STATES, Booking, BookingStatus, User, Vehicle

STATUSES = st.sampled_from([s.value for s in BookingStatus])
# Existing bookings: (start offset in minutes from the base, length in minutes, status).
BOOKINGS = st.lists(
    st.tuples(st.integers(0, 600), st.integers(5, 240), STATUSES), min_size=0, max_size=6
)
SLOW = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def core(db) -> Any:
    seed_demo(db)
    built = build_core(db.settings, db=db)
    yield built
    built.outbox.close()


def _replace_bookings(db: Any, vehicle: int, user: int, rows: list[Booking]) -> None:
    with db.transaction() as s:
        s.execute(delete(Booking))
        for b in rows:
            b.vehicle_id, b.user_id = vehicle, user
            s.add(b)


def _ids(db: Any) -> tuple[int, int]:
    with db.sessions() as s:
        bike = s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101"))
        user = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
    return int(bike), int(user)


@SLOW
@given(existing=BOOKINGS, q_start=st.integers(0, 700), q_len=st.integers(5, 300))
# Found by hypothesis: a search starting exactly when a booking's buffer ends, whole seconds
# (the fast path bound the datetime without SQLite's text form and saw a clash).
@example(existing=[(0, 5, "confirmed")], q_start=15, q_len=5)
def test_availability_query_agrees_with_the_overlap_rule(db, core, existing, q_start, q_len):
    bike, user = _ids(db)
    policy = core.bookings.policy
    base = utcnow().replace(microsecond=0) + timedelta(days=2)
    rows = []
    for offset, length, status in existing:
        start = base + timedelta(minutes=offset)
        end = start + timedelta(minutes=length)
        rows.append(
            Booking(
                start_at=start,
                end_at=end,
                block_end_at=rules.blocked_until(end, policy),
                status=status,
                quote_minor=0,
                currency="EUR",
            )
        )
    _replace_bookings(db, bike, user, rows)
    q = Search(
        start=base + timedelta(minutes=q_start), end=base + timedelta(minutes=q_start + q_len)
    )
    with db.sessions() as s:
        found = bike in {v.id for v in core.bookings.search(s, q, user)}
    busy = any(
        rules.overlaps(q.start, rules.blocked_until(q.end, policy), b.start_at, b.block_end_at)
        for b in rows
        if b.status in HOLDING_STATES
    )
    assert found == (not busy)
    fast = bike in {row.id for row in core.bookings.search_rows(q, user)}
    assert fast == found


@SLOW
@given(existing=BOOKINGS, age=st.integers(0, 60))
def test_no_show_query_agrees_with_the_no_show_rule(db, core, existing, age):
    bike, user = _ids(db)
    policy = core.bookings.policy
    now = utcnow()
    rows = []
    for offset, length, status in existing:
        # Starts spread around "now - grace" so both sides of the rule are drawn.
        start = now - timedelta(minutes=age) + timedelta(minutes=offset % 30 - 15)
        end = start + timedelta(minutes=length)
        rows.append(
            Booking(
                start_at=start,
                end_at=end,
                block_end_at=end,
                status=status,
                quote_minor=0,
                currency="EUR",
            )
        )
    _replace_bookings(db, bike, user, rows)
    released = set(core.bookings.release_no_shows())
    expected = {
        b.id
        for b in rows
        if b.status == BookingStatus.CONFIRMED and rules.no_show_due(b.start_at, utcnow(), policy)
    }
    # A booking within a second of the cut-off may fall either side: "now" moved on meanwhile.
    borderline = {
        b.id
        for b in rows
        if abs((b.start_at + policy.no_show_grace - utcnow()).total_seconds()) < 2
    }
    assert released - borderline == expected - borderline
