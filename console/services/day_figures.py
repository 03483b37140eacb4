"""The dashboard's figures per local day, finished days remembered a while in this process.

A finished day's figures hardly change (a charger's late report may still move them), so each
web worker keeps them for an hour and asks the database only for the days it lacks and today:
a dashboard read costs the queries of a day, not of a month. Every worker computes the same
figures from the same database.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.services import dashboard_rows as rows

KEEP_SECONDS = 3600.0


class DayMemo:
    """Figures of finished days, by (figure, timezone, day), kept for KEEP_SECONDS."""

    def __init__(self, keep: float = KEEP_SECONDS) -> None:
        self.keep = keep
        self._found: dict[tuple[str, str, date], tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, date]) -> tuple[Any] | None:
        """The figure kept for a day, as a 1-tuple (it may be None); None when not kept."""
        with self._lock:
            found = self._found.get(key)
        if found is None or found[0] < clock.monotonic():
            return None
        return (found[1],)

    def put(self, key: tuple[str, str, date], value: Any) -> None:
        """Keep a finished day's figure."""
        with self._lock:
            self._found[key] = (clock.monotonic() + self.keep, value)


# A figure computed for consecutive local days ending today: {day: its value}.
Compute = Callable[[Session, Sequence[date], ZoneInfo, datetime], dict[date, Any]]


def per_day(
    memo: DayMemo,
    name: str,
    compute: Compute,
    s: Session,
    days: Sequence[date],
    now: datetime,
    tz: ZoneInfo,
) -> list[Any]:
    """A figure for each of `days` (the last one today): remembered ones, the rest computed
    (from the first day not remembered up to now, in one go)."""
    kept = {d: memo.get((name, tz.key, d)) for d in days[:-1]}
    lacking = [d for d, found in kept.items() if found is None]
    fresh = compute(s, days[days.index(lacking[0]) :] if lacking else days[-1:], tz, now)
    for day in days[:-1]:  # today is never finished
        if day in fresh:
            memo.put((name, tz.key, day), fresh[day])
    return [fresh[d] if d in fresh else kept[d][0] for d in days]  # type: ignore[index]


def _since(days: Sequence[date], tz: ZoneInfo) -> datetime:
    return fold.day_start(days[0], tz)


def energy(s: Session, days: Sequence[date], tz: ZoneInfo, now: datetime) -> dict[date, Any]:
    """kWh of the sessions finished, by the day they started."""
    found = fold.fold_days(rows.energy_per_start_hour(s, _since(days, tz), now), days, tz)
    return {d: round(wh / 1000, 3) for d, wh in zip(days, found, strict=True)}


def bookings(s: Session, days: Sequence[date], tz: ZoneInfo, now: datetime) -> dict[date, Any]:
    """(all, cancelled, no-shows) of the bookings starting each day."""
    found = rows.bookings_per_hour(s, _since(days, tz), now + timedelta(days=1))
    columns = [
        fold.fold_days(((h, n) for h, status, n in found if wanted in (None, status)), days, tz)
        for wanted in (None, "cancelled", "no_show")
    ]
    return {d: tuple(c[i] for c in columns) for i, d in enumerate(days)}


def revenue(s: Session, days: Sequence[date], tz: ZoneInfo, now: datetime) -> dict[date, Any]:
    """Per day, minor units incl. VAT by (tariff code, currency)."""
    found = rows.revenue_per_hour(s, _since(days, tz), now + timedelta(hours=1))
    return fold.group_days(((h, (code, cur), minor) for h, code, cur, minor in found), days, tz)


def availability(s: Session, days: Sequence[date], tz: ZoneInfo, now: datetime) -> dict[date, Any]:
    """% of known connector time in service."""
    since = _since(days, tz)
    bounds = fold.day_bounds(days, tz, since, now)
    seconds = rows.availability_seconds(s, bounds, since, now)
    shares = fold.availability_shares(seconds, rows.steady_connectors(s, since), bounds)
    return dict(zip(days, shares, strict=True))


def utilisation(s: Session, days: Sequence[date], tz: ZoneInfo, now: datetime) -> dict[date, Any]:
    """(% on trips, % booked) of the fleet's time."""
    since, fleet = _since(days, tz), rows.fleet_size(s)
    span = (since, now)
    trips = fold.share_by_day(rows.trips_between(s, *span), fleet, days, tz, span)
    booked = fold.share_by_day(rows.bookings_between(s, *span), fleet, days, tz, span)
    return {d: (t, b) for d, t, b in zip(days, trips, booked, strict=True)}
