"""A smart-charging site's load by quarter hour: measured, planned, its grid limit and PV.

Read from the energy package's tables (sites, series, plans) as data: the console does not
import the energy package.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.plots import COLOURS, Chart, Series
from console.services import dashboard_rows as rows
from console.services.day_figures import DayMemo, remembered

SITE_PAST, SITE_AHEAD = timedelta(hours=24), timedelta(hours=24)


def _measured(
    s: Session, site_id: int, quarters: Sequence[int], now: datetime
) -> dict[int, float | None]:
    """kW drawn by the site's sessions in each quarter hour (epoch quarters, up to now)."""
    since = datetime.fromtimestamp(quarters[0] * fold.QUARTER, UTC)
    found = fold.quarter_sums(rows.measured_load(s, site_id, since), quarters[0], len(quarters))
    return dict(zip(quarters, fold.filled_until(found, len(quarters)), strict=True))


def site_chart(s: Session, memo: DayMemo, site_id: int, now: datetime) -> Chart:
    """A site's load (measured, then planned) against its grid limit and PV, by quarter hour;
    finished quarters' measured load remembered like finished days."""
    since, until = now - SITE_PAST, now + SITE_AHEAD
    first = int(since.timestamp()) // fold.QUARTER
    count = int((until - since).total_seconds()) // fold.QUARTER
    past = list(range(first, int(now.timestamp()) // fold.QUARTER + 1))
    measured = remembered(
        memo, (f"site-load:{site_id}", "UTC"), past, lambda q: _measured(s, site_id, q, now)
    ) + [None] * (count - len(past))
    measured = [None if v is None else round(v / 1000, 3) for v in measured]
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
            Series("Measured load", tuple(measured), COLOURS[0]),
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
