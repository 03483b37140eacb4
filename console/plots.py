"""Line charts drawn server-side as SVG geometry (pure): no script, no CDN, readable offline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 10, 26
# Enough points to draw a smooth curve on any screen; longer series are thinned evenly.
MAX_POINTS = 240


@dataclass(frozen=True)
class Tick:
    """A labelled position on an axis (pixels)."""

    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    """One series ready to draw: the polyline, axis ticks, and the plotted values."""

    title: str
    unit: str
    points: str
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    values: tuple[tuple[datetime, float], ...]
    # The plotted readings as text (local time, value) for the table beside the chart.
    table: tuple[tuple[str, str], ...] = ()
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = RIGHT
    top: int = TOP
    bottom: int = BOTTOM

    @property
    def last(self) -> float:
        """The latest value of the series."""
        return self.values[-1][1]


def thin(
    series: Sequence[tuple[datetime, float]], limit: int = MAX_POINTS
) -> list[tuple[datetime, float]]:
    """At most `limit` points, evenly picked, always keeping the first and the last."""
    if len(series) <= limit:
        return list(series)
    step = (len(series) - 1) / (limit - 1)
    return [series[round(i * step)] for i in range(limit)]


def nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) giving about `ticks` intervals."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _y_axis(low: float, high: float) -> tuple[float, float, float]:
    step = nice_step(high - low)
    bottom = math.floor(low / step) * step
    top = max(math.ceil(high / step) * step, bottom + step)
    return bottom, top, step


def _label(value: float) -> str:
    return f"{value:g}" if abs(value) >= 0.01 or value == 0 else f"{value:.3f}"


def line_chart(
    series: Sequence[tuple[datetime, float]], *, title: str, unit: str, tz: ZoneInfo
) -> Chart | None:
    """The chart of a time series (None when it has no point)."""
    if not series:
        return None
    values = thin(sorted(series, key=lambda p: p[0]))
    t0, t1 = values[0][0].timestamp(), values[-1][0].timestamp()
    span_t = (t1 - t0) or 1.0
    bottom, top, step = _y_axis(min(0.0, *(v for _, v in values)), max(v for _, v in values))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return round(LEFT + (t - t0) / span_t * inner_w, 1)

    def y(v: float) -> float:
        return round(TOP + (top - v) / (top - bottom) * inner_h, 1)

    points = " ".join(f"{x(t.timestamp())},{y(v)}" for t, v in values)
    y_ticks = tuple(
        Tick(y(bottom + i * step), _label(bottom + i * step))
        for i in range(round((top - bottom) / step) + 1)
    )
    x_ticks = tuple(
        Tick(
            x(t0 + span_t * i / 4),
            datetime.fromtimestamp(t0 + span_t * i / 4, tz).strftime("%H:%M"),
        )
        for i in range(5)
    )
    table = tuple((t.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"), f"{v:.3f}") for t, v in values)
    return Chart(title, unit, points, x_ticks, y_ticks, tuple(values), table)
