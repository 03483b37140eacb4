"""The plan page's chart: site load, limit and PV over the horizon as SVG coordinates. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

WIDTH, HEIGHT, PAD = 720, 260, 36


@dataclass(frozen=True)
class Chart:
    """Polylines (SVG `points`) and axis ticks for a plan."""

    load: str
    limit: str
    pv: str
    top_kw: float
    x_ticks: tuple[tuple[float, str], ...]  # (x, "14:00")
    y_ticks: tuple[tuple[float, str], ...]  # (y, "50 kW")
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def _steps(values: list[float], x: Any, y: Any) -> str:
    """A step line: each slot's value held flat across the slot."""
    points = []
    for i, v in enumerate(values):
        points += [f"{x(i):.1f},{y(v):.1f}", f"{x(i + 1):.1f},{y(v):.1f}"]
    return " ".join(points)


def chart(body: dict[str, Any]) -> Chart:
    """Scale a stored plan's per-slot load, limit and PV into the chart's box."""
    load, limit, pv = body["load_kw"], body["limit_kw"], body.get("pv_kw") or []
    slots = max(len(load), 1)
    top = max([*load, *limit, *pv, 1.0]) * 1.1
    inner_w, inner_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(i: float) -> float:
        return PAD + inner_w * i / slots

    def y(v: float) -> float:
        return HEIGHT - PAD - inner_h * v / top

    start = datetime.fromisoformat(body["start"])
    x_ticks = tuple(
        (x(i), (start + timedelta(minutes=15 * i)).strftime("%H:%M"))
        for i in range(0, slots + 1, max(1, slots // 8))
    )
    y_ticks = tuple((y(top * k / 4), f"{top * k / 4:.0f} kW") for k in range(5))
    return Chart(_steps(load, x, y), _steps(limit, x, y), _steps(pv, x, y), top, x_ticks, y_ticks)
