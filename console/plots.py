"""Charts as data (pure): series the browser draws with the vendored uPlot, and tables of them.

The page carries each chart's data as JSON in its figure (`data-chart`), so what is drawn is
exactly what the server computed, a test can read it back, and the same numbers are in a
table beside the chart for keyboard and screen-reader users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# Enough points to draw a smooth curve on any screen; longer series are thinned evenly.
MAX_POINTS = 240
COLOURS = ("#0b6e4f", "#1e40af", "#b45309", "#7c3aed", "#be123c", "#0e7490")
# How the x axis reads: moments, local days, or named categories (tariffs).
TIME, DAY, CATEGORY = "time", "day", "category"


@dataclass(frozen=True)
class Series:
    """One named series of values along the chart's x axis (None: no value there)."""

    label: str
    values: tuple[float | None, ...]
    colour: str = COLOURS[0]


@dataclass(frozen=True)
class Chart:
    """A chart ready for the browser: x positions, series, and how to draw them."""

    id: str
    title: str
    unit: str
    x: tuple[int, ...]  # epoch seconds (TIME, DAY) or positions 0..n-1 (CATEGORY)
    series: tuple[Series, ...]
    kind: str = "line"  # line, bars or steps
    axis: str = TIME
    categories: tuple[str, ...] = ()
    step: int = 0  # seconds between bars (their width), 0 for lines
    note: str = ""  # what the figures mean, under the chart
    extra: dict[str, Any] = field(default_factory=dict)
    zone: str = ""  # the timezone its days and times read in ("": the console's)

    @property
    def empty(self) -> bool:
        """No value at all to draw."""
        return not any(v is not None for s in self.series for v in s.values)

    def data(self) -> dict[str, Any]:
        """The JSON the browser draws (x and one list of values per series)."""
        return {
            "title": self.title,
            "unit": self.unit,
            "kind": self.kind,
            "axis": self.axis,
            "step": self.step,
            "categories": list(self.categories),
            "x": list(self.x),
            "series": [
                {"label": s.label, "colour": s.colour, "values": list(s.values)}
                for s in self.series
            ],
        }

    def rows(self, tz: ZoneInfo) -> list[tuple[str, list[str]]]:
        """The chart as table rows: the x label, then each series' value as text."""
        return [
            (self.label_of(i, tz), [_text(s.values[i]) for s in self.series])
            for i in range(len(self.x))
        ]

    def label_of(self, i: int, tz: ZoneInfo) -> str:
        """How the i-th x position reads in a table."""
        if self.axis == CATEGORY:
            return self.categories[i]
        moment = datetime.fromtimestamp(self.x[i], ZoneInfo(self.zone) if self.zone else tz)
        return moment.strftime("%Y-%m-%d" if self.axis == DAY else "%Y-%m-%d %H:%M")


def _text(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.3f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def thin(
    series: Sequence[tuple[datetime, float]], limit: int = MAX_POINTS
) -> list[tuple[datetime, float]]:
    """At most `limit` points, evenly picked, always keeping the first and the last."""
    if len(series) <= limit:
        return list(series)
    step = (len(series) - 1) / (limit - 1)
    return [series[round(i * step)] for i in range(limit)]


def line_chart(
    series: Sequence[tuple[datetime, float]], *, chart_id: str, title: str, unit: str, colour: str
) -> Chart | None:
    """The line chart of one time series (None when it has no point)."""
    if not series:
        return None
    points = thin(sorted(series, key=lambda p: p[0]))
    return Chart(
        id=chart_id,
        title=title,
        unit=unit,
        x=tuple(int(at.timestamp()) for at, _ in points),
        series=(Series(title, tuple(round(v, 3) for _, v in points), colour),),
    )
