"""The dashboard's folds: hours into local days, energy from registers, shares of time."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from console.dashboard import (
    HOUR,
    QUARTER,
    StatusChange,
    availability_by_day,
    by_category,
    day_epochs,
    energy_by_hour,
    filled_until,
    fold_days,
    group_days,
    local_days,
    on_quarters,
    quarter_sums,
    share_by_day,
)

PARIS = ZoneInfo("Europe/Paris")


def _hour(at: datetime) -> int:
    return int(at.timestamp()) // HOUR


def test_local_days_end_today_in_the_hubs_timezone():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # already 3 March in Paris
    assert local_days(late, 3, PARIS) == [date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)]
    assert day_epochs([date(2026, 3, 3)], PARIS) == (
        int(datetime(2026, 3, 2, 23, 0, tzinfo=UTC).timestamp()),
    )


def test_hours_fold_into_local_days_across_a_dst_change():
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    start = datetime(2026, 3, 27, 23, 0, tzinfo=UTC)  # Paris midnight, 28 March
    hourly = [(_hour(start) + h, 1.0) for h in range(24 + 23 + 24)]  # 29 March has 23 hours
    assert fold_days(hourly, days, PARIS) == [24.0, 23.0, 24.0]
    assert fold_days([(_hour(start) - 1, 5.0)], days, PARIS) == [0.0, 0.0, 0.0]  # outside


def test_energy_is_the_rise_of_each_register_per_hour():
    h = 500_000
    readings = [
        (1, h, Decimal(5000)),
        (1, h + 1, Decimal(9000)),
        (1, h + 3, Decimal(9500)),
        (2, h + 1, Decimal(300)),  # session 2 started at 100 Wh
        (2, h + 2, Decimal(200)),  # a register going back counts nothing
        (2, h + 3, Decimal(400)),
    ]
    delivered = energy_by_hour(readings, {1: 1000, 2: 100})
    assert delivered == {h: 4000, h + 1: 4200, h + 2: 0, h + 3: 600}


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30))
def test_energy_of_a_rising_register_adds_up_to_its_last_reading(increments):
    readings, wh = [], 1000
    for i, step in enumerate(increments):
        wh += step
        readings.append((7, 1000 + i, wh))
    assert sum(energy_by_hour(readings, {7: 1000}).values()) == wh - 1000


DAY = [date(2026, 11, 2)]
MIDNIGHT = datetime(2026, 11, 2, tzinfo=PARIS)
WINDOW = (MIDNIGHT, MIDNIGHT + timedelta(days=1))


def _at(hours: float) -> int:
    """Epoch seconds `hours` after MIDNIGHT."""
    return int((MIDNIGHT + timedelta(hours=hours)).timestamp())


def test_availability_counts_known_time_in_service():
    changes = [
        StatusChange((1, 1), _at(-3), "Faulted"),  # known as the day opens
        StatusChange((1, 1), _at(6), "Available"),
        StatusChange((1, 2), _at(12), "Charging"),  # unknown before
    ]
    # Connector (1, 1): 24 h known, 18 in service; (1, 2): 12 h known, all in service;
    # three steady connectors: two Available all day, one Unavailable.
    steady = {"Available": 2, "Unavailable": 1}
    [share] = availability_by_day(changes, steady, DAY, PARIS, WINDOW)
    assert share == round(100 * (18 + 12 + 48) / (24 + 12 + 72), 2)
    assert availability_by_day([], {}, DAY, PARIS, WINDOW) == [None]


def test_availability_of_today_counts_until_now():
    now = MIDNIGHT + timedelta(hours=10)
    changes = [StatusChange((1, 1), _at(5), "Faulted")]
    assert availability_by_day(changes, {"Available": 1}, DAY, PARIS, (MIDNIGHT, now)) == [
        round(100 * (10 + 0) / (10 + 5), 2)
    ]


def test_share_of_the_fleets_time():
    trips = [
        (_at(-2), _at(4)),  # 4 h on this day
        (_at(20), None),  # still on the road: until the window's end
    ]
    assert share_by_day(trips, 2, DAY, PARIS, WINDOW) == [round(100 * 8 / 48, 2)]
    assert share_by_day(trips, 0, DAY, PARIS, WINDOW) == [None]


def test_quarters_summed_and_plans_laid_on_them():
    first = 1_000_000
    rows = [(first, Decimal(11000)), (first, 7000.0), (first + 2, 3000)]
    assert quarter_sums(rows, first, 4, 0.001) == (18.0, None, 3.0, None)
    # Past quarters without a reading drew nothing; the future is not known yet.
    assert filled_until((18.0, None, 3.0, None), 2) == (18.0, 0.0, 3.0, None)
    start = datetime.fromtimestamp((first + 2) * QUARTER, UTC)
    assert on_quarters(start, [1.0, 2.0, 3.0], first, 4) == (None, None, 1.0, 2.0)
    # A plan made an hour before: its first quarters fall before the chart.
    assert on_quarters(start - timedelta(hours=1), [9.0] * 5, first, 4) == (9.0, 9.0, 9.0, None)


def test_revenue_per_category_in_each_currencys_units():
    rows = [
        (("CHARGE-STD", "EUR"), 1234),
        (("CHARGE-STD", "EUR"), -100),
        ((None, "EUR"), 5000),
        (("CAR-STD", "JPY"), 1500),  # no minor unit in yen
    ]
    names, amounts = by_category(rows)
    assert names == ("not recorded", "CAR-STD", "CHARGE-STD")
    assert amounts == {"EUR": [50.0, 0.0, 11.34], "JPY": [0.0, 1500.0, 0.0]}


@given(
    st.lists(
        st.tuples(st.integers(-2 * 86_400, 4 * 86_400), st.integers(0, 3 * 86_400)), max_size=40
    )
)
def test_time_is_shared_out_to_the_days_it_falls_in(spans):
    days = [date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]  # 29 March: 23 hours
    since = datetime(2026, 3, 28, tzinfo=PARIS)
    until = datetime(2026, 3, 31, tzinfo=PARIS)
    origin = int(since.timestamp())
    intervals = [(origin + start, origin + start + length) for start, length in spans]
    shares = share_by_day(intervals, 1, days, PARIS, (since, until))
    for day, share in zip(days, shares, strict=True):
        lo = datetime(day.year, day.month, day.day, tzinfo=PARIS).timestamp()
        hi = (datetime(day.year, day.month, day.day, tzinfo=PARIS) + timedelta(days=1)).timestamp()
        hi = min(hi, datetime(2026, 3, 31, tzinfo=PARIS).timestamp())
        inside = sum(max(0, min(b, hi) - max(a, lo)) for a, b in intervals)
        assert share == round(100 * inside / (hi - lo), 2)


def test_amounts_grouped_by_local_day_and_key():
    start = datetime(2026, 3, 27, 23, 0, tzinfo=UTC)  # Paris midnight, 28 March
    days = [date(2026, 3, 28), date(2026, 3, 29)]
    rows = [
        (_hour(start), ("A", "EUR"), 100),
        (_hour(start) + 2, ("A", "EUR"), 50),
        (_hour(start) + 30, ("B", "EUR"), 7),
        (_hour(start) - 1, ("A", "EUR"), 999),  # the day before: not shown
    ]
    assert group_days(rows, days, PARIS) == {
        date(2026, 3, 28): {("A", "EUR"): 150},
        date(2026, 3, 29): {("B", "EUR"): 7},
    }
