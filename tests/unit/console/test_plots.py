"""Charts as data: thinning, the JSON the browser draws, and the table beside it."""

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from console.plots import CATEGORY, DAY, MAX_POINTS, Chart, Series, line_chart, thin

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")


def _series(values):
    return [(T0 + timedelta(minutes=i), v) for i, v in enumerate(values)]


def test_thin_keeps_short_series_and_both_ends_of_long_ones():
    short = _series(range(10))
    assert thin(short, 400) == short
    long = _series(range(1000))
    kept = thin(long, 100)
    assert len(kept) == 100 and kept[0] == long[0] and kept[-1] == long[-1]
    assert [t for t, _ in kept] == sorted(t for t, _ in kept)


def test_chart_of_nothing_is_none():
    assert line_chart([], chart_id="c", title="Power", unit="kW", colour="#000") is None


def test_line_chart_data_is_epoch_seconds_and_values_in_time_order():
    shuffled = list(reversed(_series([0, 5.12345, 10])))
    chart = line_chart(shuffled, chart_id="e", title="Energy", unit="kWh", colour="#123456")
    data = json.loads(json.dumps(chart.data()))  # what the page carries
    assert data["x"] == [int(T0.timestamp()) + 60 * i for i in range(3)]
    assert data["series"] == [{"label": "Energy", "colour": "#123456", "values": [0, 5.123, 10]}]
    assert (data["kind"], data["axis"], data["unit"]) == ("line", "time", "kWh")
    assert chart.rows(PARIS)[0] == ("2026-03-02 09:00", ["0"])  # 08:00 UTC in Paris
    assert chart.rows(PARIS)[1][1] == ["5.123"]


def test_day_and_category_axes_read_as_days_and_names():
    midnight = int(datetime(2026, 3, 2, tzinfo=PARIS).timestamp())
    days = Chart("d", "Bookings", "bookings", (midnight,), (Series("All", (3.0,)),), axis=DAY)
    assert days.rows(PARIS) == [("2026-03-02", ["3"])]
    tariffs = Chart(
        "t",
        "Revenue",
        "EUR",
        (0, 1),
        (Series("EUR", (1234.5, None)),),
        kind="bars",
        axis=CATEGORY,
        categories=("CHARGE-STD", "not recorded"),
    )
    assert tariffs.rows(PARIS) == [("CHARGE-STD", ["1,234.5"]), ("not recorded", ["—"])]
    assert not tariffs.empty and Chart("z", "Z", "x", (0,), (Series("a", (None,)),)).empty


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=600))
def test_long_series_are_thinned_to_a_drawable_size(values):
    chart = line_chart(_series(values), chart_id="x", title="x", unit="W", colour="#000")
    assert len(chart.x) == len(chart.series[0].values) == min(len(values), MAX_POINTS)
    assert list(chart.x) == sorted(chart.x)
