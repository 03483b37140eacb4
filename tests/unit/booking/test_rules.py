"""Pure booking rules."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from booking import rules
from mobility.errors import Conflict, ValidationFailed

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
P = rules.DEFAULT_POLICY


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (NOW + timedelta(hours=2), NOW + timedelta(hours=1), "end must be after"),
        (NOW - timedelta(hours=1), NOW + timedelta(hours=1), "in the past"),
        (NOW, NOW + timedelta(minutes=2), "at least 5 minutes"),
        (NOW, NOW + timedelta(days=8), "at most 7 days"),
        (NOW + timedelta(days=61), NOW + timedelta(days=61, hours=1), "60 days ahead"),
    ],
)
def test_invalid_slots(start, end, message):
    with pytest.raises(ValidationFailed, match=message):
        rules.validate_slot(start, end, NOW, P)


def test_valid_slot_and_rent_now_slack():
    rules.validate_slot(NOW - timedelta(seconds=30), NOW + timedelta(hours=1), NOW, P)


@given(
    a=st.integers(0, 1000), la=st.integers(1, 500), b=st.integers(0, 1000), lb=st.integers(1, 500)
)
def test_overlap_is_symmetric_and_matches_integer_ranges(a, la, b, lb):
    t = lambda m: NOW + timedelta(minutes=m)  # noqa: E731
    expected = bool(set(range(a, a + la)) & set(range(b, b + lb)))
    assert rules.overlaps(t(a), t(a + la), t(b), t(b + lb)) == expected
    assert rules.overlaps(t(b), t(b + lb), t(a), t(a + la)) == expected


def test_cancellation_fee_cutoff_and_cap():
    start = NOW + timedelta(hours=2)
    assert rules.cancellation_fee(3000, start, NOW, P) == 0
    assert rules.cancellation_fee(3000, start, start - timedelta(minutes=59), P) == 500
    assert rules.cancellation_fee(300, start, start, P) == 300


def test_no_show_grace_and_buffer():
    assert not rules.no_show_due(NOW, NOW + timedelta(minutes=14), P)
    assert rules.no_show_due(NOW, NOW + timedelta(minutes=15), P)
    assert rules.blocked_until(NOW, P) == NOW + timedelta(minutes=10)


def test_min_soc_and_trip_readings():
    rules.check_soc(80, 80)
    with pytest.raises(Conflict, match="below the 90%"):
        rules.check_soc(80, 90)


def _distance(kind="ecar", minutes=60, start_soc=80, **readings):
    return rules.trip_distance(
        kind, Decimal(100), start_soc, 390, minutes * 60, rules.TripReadings(**readings)
    )


def test_trip_distance_comes_from_plausible_readings():
    assert _distance(end_soc=60, end_odometer_km=Decimal(170)) == Decimal(70)
    assert _distance(end_soc=60, distance_km=Decimal("70.5")) == Decimal("70.5")
    assert _distance("ebike", 30, 90, end_soc=90, distance_km=Decimal(15)) == Decimal(15)
    refused = [
        dict(end_soc=60, end_odometer_km=Decimal(99)),  # odometer backwards
        dict(end_soc=60, end_odometer_km=Decimal(170), distance_km=Decimal(20)),  # disagree
        dict(end_soc=90),  # charge gained on a trip
        dict(end_soc=101),
        dict(end_soc=60, distance_km=Decimal(-1)),
        dict(end_soc=60, distance_km=Decimal(5)),  # 20% of 390 km used for 5 km
        dict(end_soc=10, distance_km=Decimal(400)),  # 400 km in an hour
        dict(end_soc=60, distance_km=Decimal("Infinity")),
    ]
    for readings in refused:
        with pytest.raises(ValidationFailed):
            _distance(**readings)
    with pytest.raises(ValidationFailed, match="time"):
        _distance("ebike", 10, 90, end_soc=90, distance_km=Decimal(12))  # 72 km/h on a bike


def test_email_and_password_rules():
    assert rules.validate_email(" Ana@Example.ORG ") == "ana@example.org"
    for bad in ("ana", "ana@", "a b@c.de"):
        with pytest.raises(ValidationFailed):
            rules.validate_email(bad)
    with pytest.raises(ValidationFailed, match="at least 10"):
        rules.validate_password("short")
    with pytest.raises(ValidationFailed, match="not be your email"):
        rules.validate_password("ana@example.org", "ana@example.org")


@given(st.integers(min_value=0, max_value=100_000))
def test_an_operators_fee_is_the_late_fee_capped_at_the_quote_or_nothing(quote):
    p = rules.BookingPolicy(late_cancel_fee_minor=500)
    assert rules.operator_fee(quote, True, p) == min(500, quote)
    assert rules.operator_fee(quote, False, p) == 0


def test_which_bookings_an_operator_may_mark_a_no_show():
    rules.no_show_adjustable("confirmed", 0, False)
    rules.no_show_adjustable("confirmed", 0, True)
    rules.no_show_adjustable("no_show", 0, True)  # released by the job: the fee may follow
    for status, fee, charge in (("no_show", 0, False), ("no_show", 500, True)):
        with pytest.raises(Conflict, match="recorded already"):
            rules.no_show_adjustable(status, fee, charge)
    for status in ("active", "completed", "cancelled"):
        with pytest.raises(Conflict, match="cannot be a no-show"):
            rules.no_show_adjustable(status, 0, True)


def test_no_show_only_once_the_booking_started():
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    rules.no_show_started(start, start)
    with pytest.raises(Conflict, match="not started yet"):
        rules.no_show_started(start, start - timedelta(seconds=1))
