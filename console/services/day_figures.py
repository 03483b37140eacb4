"""The dashboard's figures per local day (and energy per hour), finished periods remembered a
while in this process.

A finished day's or hour's figures hardly change (a charger's late report may still move
them), so each web worker keeps them for an hour and asks the database only for the periods it
lacks and the current one: a dashboard read costs the queries of a day, not of a month. Every
worker computes the same figures from the same database.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console import dashboard as fold
from console.services import dashboard_rows as rows

KEEP_SECONDS = 3600.0


Key = tuple[str, str, Hashable]  # (figure, timezone, day or hour)
P = TypeVar("P", bound=Hashable)  # a period: a local day, an epoch hour


class DayMemo:
    """Figures of finished periods, by (figure, timezone, period), kept for KEEP_SECONDS."""

    def __init__(self, keep: float = KEEP_SECONDS) -> None:
        self.keep = keep
        self._found: dict[Key, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> tuple[Any] | None:
        """The figure kept for a day, as a 1-tuple (it may be None); None when not kept."""
        with self._lock:
            found = self._found.get(key)
        if found is None or found[0] < clock.monotonic():
            return None
        return (found[1],)

    def put(self, key: Key, value: Any) -> None:
        """Keep a finished day's figure."""
        with self._lock:
            self._found[key] = (clock.monotonic() + self.keep, value)


# A figure computed for consecutive local days ending today: {day: its value}.
Compute = Callable[[Session, Sequence[date], ZoneInfo, datetime], dict[date, Any]]


def remembered(
    memo: DayMemo,
    key: tuple[str, str],
    periods: Sequence[P],
    compute: Callable[[Sequence[P]], dict[P, Any]],
) -> list[Any]:
    """A figure for each period (the last one still running): remembered ones, the rest
    computed from the first period not remembered to the last, in one go."""
    kept = {p: memo.get((*key, p)) for p in periods[:-1]}
    lacking = [p for p, found in kept.items() if found is None]
    fresh = compute(periods[periods.index(lacking[0]) :] if lacking else periods[-1:])
    for period in periods[:-1]:  # the running one is never finished
        if period in fresh:
            memo.put((*key, period), fresh[period])
    return [fresh[p] if p in fresh else kept[p][0] for p in periods]  # type: ignore[index]


def per_day(
    memo: DayMemo,
    name: str,
    compute: Compute,
    s: Session,
    days: Sequence[date],
    now: datetime,
    tz: ZoneInfo,
) -> list[Any]:
    """A figure for each of `days` (the last one today)."""
    return remembered(memo, (name, tz.key), days, lambda some: compute(s, some, tz, now))


def energy_hours(s: Session, hours: Sequence[int], now: datetime) -> dict[int, float]:
    """kWh delivered in each UTC hour (epoch hour numbers, the last one running)."""
    since = datetime.fromtimestamp(hours[0] * fold.HOUR, UTC)
    readings, baselines = rows.energy_readings(s, since)
    delivered = fold.energy_by_hour(readings, baselines)
    return {h: round(delivered.get(h, 0.0) / 1000, 3) for h in hours}


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
