"""A smart-charging site's load by quarter hour: measured, planned, its grid limit and PV.

Read from the energy package's tables (sites, series, plans) as data: the console does not
import the energy package.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.plots import COLOURS, Chart, Series
from console.services import dashboard_rows as rows

SITE_PAST, SITE_AHEAD = timedelta(hours=24), timedelta(hours=24)


def site_chart(s: Session, site_id: int, now: datetime) -> Chart:
    """A site's load (measured, then planned) against its grid limit and PV, by quarter hour."""
    since, until = now - SITE_PAST, now + SITE_AHEAD
    first = int(since.timestamp()) // fold.QUARTER
    count = int((until - since).total_seconds()) // fold.QUARTER
    measured = fold.filled_until(
        fold.quarter_sums(rows.measured_load(s, site_id, since), first, count, 0.001),
        int(now.timestamp()) // fold.QUARTER - first + 1,
    )
    stored: dict[str, dict[int, float]] = defaultdict(dict)
    for kind, at, value in rows.site_series(s, site_id, since, until):
        stored[kind][int(at.timestamp()) // fold.QUARTER - first] = float(value)
    plan = rows.latest_plan(s, site_id) or {}
    start = datetime.fromisoformat(plan["start"]) if plan.get("start") else now
    planned = fold.on_quarters(start, plan.get("load_kw", []), first, count)
    limit = _overlay(
        stored["limit"], fold.on_quarters(start, plan.get("limit_kw", []), first, count)
    )
    pv = _overlay(stored["pv"], fold.on_quarters(start, plan.get("pv_kw", []), first, count))
    x = tuple((first + i) * fold.QUARTER for i in range(count))
    return Chart(
        "site-load",
        "Site load, grid limit and PV",
        "kW",
        x,
        (
            Series("Measured load", measured, COLOURS[0]),
            Series("Planned load", planned, COLOURS[1]),
            Series("Grid limit", limit, COLOURS[4]),
            Series("PV forecast", pv, COLOURS[2]),
        ),
        kind="steps",
        note="Measured: the site's chargers' power readings; planned, limit and PV: the "
        "smart-charging plan and the site's stored series.",
    )


def _overlay(
    stored: dict[int, float], planned: tuple[float | None, ...]
) -> tuple[float | None, ...]:
    """The stored series where it has a value, the plan's figure elsewhere."""
    return tuple(stored.get(i, v) for i, v in enumerate(planned))
