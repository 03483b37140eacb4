"""Server-side line charts: thinning, tick steps, and points inside the drawing box."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from console.plots import (
    HEIGHT,
    LEFT,
    MAX_POINTS,
    RIGHT,
    TOP,
    WIDTH,
    line_chart,
    nice_step,
    thin,
)

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


def test_nice_steps_are_one_two_or_five_times_a_power_of_ten():
    assert nice_step(11) == 5
    assert nice_step(100) == 50
    assert nice_step(0.7) == 0.2
    assert nice_step(0) == 1


def test_chart_of_nothing_is_none():
    assert line_chart([], title="Power", unit="kW", tz=PARIS) is None


def test_chart_spans_the_box_and_labels_local_times():
    chart = line_chart(_series([0, 5, 10]), title="Energy", unit="kWh", tz=PARIS)
    pts = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert pts[0][0] == LEFT and pts[-1][0] == WIDTH - RIGHT
    assert pts[0][1] > pts[1][1] > pts[2][1]  # rising values go up the page
    assert chart.x_ticks[0].label == "09:00"  # 08:00 UTC in Paris in March
    assert [t.label for t in chart.y_ticks] == ["0", "5", "10"]


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=600))
def test_every_point_lies_inside_the_drawing_box(values):
    chart = line_chart(_series(values), title="x", unit="W", tz=PARIS)
    pts = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert len(pts) == min(len(values), MAX_POINTS)
    for x, y in pts:
        assert LEFT <= x <= WIDTH - RIGHT and TOP - 0.1 <= y <= HEIGHT + 0.1
