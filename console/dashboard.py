"""The dashboard's figures from aggregate rows (pure): per hour, per local day, per tariff.

The database groups by UTC hour (cheap, and the same in SQLite and PostgreSQL); local days are
made here from those hours, in the hub's timezone, so a day across a DST change has its 23 or
25 hours.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from mobility.money import to_major

HOUR = 3600
QUARTER = 900
# Connector states in which a connector cannot serve a driver (OCPP 1.6 and 2.0.1 alike).
OUT_OF_SERVICE = frozenset({"Faulted", "Unavailable"})


def local_days(until: datetime, count: int, tz: ZoneInfo) -> list[date]:
    """The `count` local days ending with the day of `until`."""
    last = until.astimezone(tz).date()
    return [last - timedelta(days=count - 1 - i) for i in range(count)]


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """Local midnight starting a day."""
    return datetime.combine(day, time(), tz)


def day_epochs(days: Sequence[date], tz: ZoneInfo) -> tuple[int, ...]:
    """Each day's local midnight as epoch seconds (the x axis of per-day charts)."""
    return tuple(int(day_start(d, tz).timestamp()) for d in days)


def fold_days(
    hourly: Iterable[tuple[int, float]], days: Sequence[date], tz: ZoneInfo
) -> list[float]:
    """Sum values kept per UTC hour (epoch hour numbers) into the local days asked for."""
    index = {d: i for i, d in enumerate(days)}
    totals = [0.0] * len(days)
    for hour, value in hourly:
        i = index.get(datetime.fromtimestamp(hour * HOUR, tz).date())
        if i is not None:
            totals[i] += float(value)
    return totals


def group_days(
    hourly: Iterable[tuple[int, Any, int]], days: Sequence[date], tz: ZoneInfo
) -> dict[date, dict[Any, int]]:
    """(UTC hour, key, amount) rows summed per local day and key (days without any: empty)."""
    index = set(days)
    grouped: dict[date, dict[Any, int]] = {d: defaultdict(int) for d in days}
    for hour, key, amount in hourly:
        day = datetime.fromtimestamp(hour * HOUR, tz).date()
        if day in index:
            grouped[day][key] += int(amount)
    return {d: dict(v) for d, v in grouped.items()}


def energy_by_hour(
    readings: Iterable[tuple[int, int, Decimal | float]], starts: Mapping[int, int]
) -> dict[int, float]:
    """Wh delivered per UTC hour from each session's highest register reading of each hour.

    `readings` are (session, epoch hour, highest register Wh that hour); a session's energy in
    an hour is how far its register rose since its previous hour with a reading (the first from
    its meter start). A register that goes backwards (a replaced meter) counts nothing.
    """
    per_session: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for tx, hour, wh in readings:
        per_session[tx].append((hour, float(wh)))
    delivered: dict[int, float] = defaultdict(float)
    for tx, hours in per_session.items():
        previous = float(starts.get(tx, 0))
        for hour, wh in sorted(hours):
            delivered[hour] += max(0.0, wh - previous)
            previous = max(previous, wh)
    return dict(delivered)


class StatusChange(NamedTuple):
    """A connector reported a status at a moment (StatusNotification)."""

    connector: tuple[int, int]  # (charger id, connector id)
    at: int  # epoch seconds
    status: str


def day_bounds(
    days: Sequence[date], tz: ZoneInfo, since: datetime, until: datetime
) -> list[tuple[float, float]]:
    """Each local day clipped to the window, as epoch seconds."""
    bounds = []
    for d in days:
        start = max(day_start(d, tz), since).timestamp()
        end = min(day_start(d + timedelta(days=1), tz), until).timestamp()
        bounds.append((start, max(start, end)))
    return bounds


def _spread(
    start: float, end: float, bounds: Sequence[tuple[float, float]], into: list[float]
) -> None:
    """Add the seconds of [start, end) falling in each day to `into` (days in order)."""
    i = max(0, bisect_right(bounds, (start, float("inf"))) - 1)  # the day `start` falls in
    while i < len(bounds) and bounds[i][0] < end:
        lo, hi = bounds[i]
        overlap = min(end, hi) - max(start, lo)
        if overlap > 0:
            into[i] += overlap
        i += 1


def availability_by_day(
    changes: Iterable[StatusChange],
    steady: Mapping[str, int],
    days: Sequence[date],
    tz: ZoneInfo,
    window: tuple[datetime, datetime],
) -> list[float | None]:
    """Per local day, the % of known connector time in service (None: nothing known).

    `changes` are status reports from before the window (to know each connector's state as it
    opens) up to its end; a connector's state before its first report is unknown and left out.
    `steady` counts, by status, the connectors that reported nothing since before the window:
    they were in that status throughout.
    """
    since, until = window
    bounds = day_bounds(days, tz, since, until)
    known, serving = [0.0] * len(days), [0.0] * len(days)
    timelines: dict[tuple[int, int], list[StatusChange]] = defaultdict(list)
    for change in changes:
        timelines[change.connector].append(change)
    end = until.timestamp()
    for reports in timelines.values():
        reports.sort(key=lambda c: (c.at, c.status))  # two at one moment: by status
        for this, after in zip(reports, [*reports[1:], None], strict=True):
            stop = after.at if after else end
            _spread(this.at, stop, bounds, known)
            if this.status not in OUT_OF_SERVICE:
                _spread(this.at, stop, bounds, serving)
    for status, count in steady.items():
        for i, (lo, hi) in enumerate(bounds):
            known[i] += (hi - lo) * count
            if status not in OUT_OF_SERVICE:
                serving[i] += (hi - lo) * count
    return [round(100 * s / k, 2) if k else None for s, k in zip(serving, known, strict=True)]


def availability_shares(
    seconds: Mapping[int, tuple[int, int]],
    steady: Mapping[str, int],
    bounds: Sequence[tuple[float, float]],
) -> list[float | None]:
    """Per day, the % of known connector time in service: the reported seconds per day index
    (known, in service) plus the steady connectors, in their status all day."""
    shares: list[float | None] = []
    for i, (lo, hi) in enumerate(bounds):
        known, serving = seconds.get(i, (0, 0))
        for status, count in steady.items():
            known += int(hi - lo) * count
            serving += int(hi - lo) * count if status not in OUT_OF_SERVICE else 0
        shares.append(round(100 * serving / known, 2) if known else None)
    return shares


def share_by_day(
    intervals: Iterable[tuple[int, int | None]],
    fleet: int,
    days: Sequence[date],
    tz: ZoneInfo,
    window: tuple[datetime, datetime],
) -> list[float | None]:
    """Per local day, the % of the fleet's time inside the intervals (epoch seconds; open ones
    last until the window's end)."""
    since, until = window
    bounds = day_bounds(days, tz, since, until)
    used = [0.0] * len(days)
    for start, end in intervals:
        _spread(start, until.timestamp() if end is None else end, bounds, used)
    return [
        round(100 * u / (fleet * (hi - lo)), 2) if fleet and hi > lo else None
        for u, (lo, hi) in zip(used, bounds, strict=True)
    ]


def quarter_sums(
    readings: Iterable[tuple[int, Decimal | float]], first: int, count: int, scale: float = 1.0
) -> tuple[float | None, ...]:
    """Sum (quarter hour, value) rows into `count` quarters from epoch quarter `first`."""
    sums: dict[int, float] = defaultdict(float)
    for quarter, value in readings:
        sums[quarter] += float(value)
    return tuple(
        round(sums[q] * scale, 3) if q in sums else None for q in range(first, first + count)
    )


def filled_until(values: Sequence[float | None], known: int) -> tuple[float | None, ...]:
    """The first `known` values with no reading read as 0 (nothing drew power), the rest as is."""
    return tuple(0.0 if v is None and i < known else v for i, v in enumerate(values))


def on_quarters(
    start: datetime, values: Sequence[float], first: int, count: int
) -> tuple[float | None, ...]:
    """A 15-minute series starting at `start` laid on `count` quarters from epoch quarter
    `first` (None where it has no value)."""
    offset = int(start.timestamp()) // QUARTER - first
    placed: list[float | None] = [None] * count
    for i, value in enumerate(values):
        if 0 <= offset + i < count:
            placed[offset + i] = round(float(value), 3)
    return tuple(placed)


def by_category(
    amounts: Iterable[tuple[tuple[str | None, str], int]], unnamed: str = "not recorded"
) -> tuple[tuple[str, ...], dict[str, list[float]]]:
    """((category, currency), minor units) as categories, largest first, with one list of
    major-unit amounts per currency (each currency's own ISO 4217 exponent)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (name, currency), minor in amounts:
        totals[name or unnamed][currency] += int(minor)
    names = tuple(sorted(totals, key=lambda n: (-sum(totals[n].values()), n)))
    currencies = sorted({c for per in totals.values() for c in per})
    return names, {c: [float(to_major(totals[n].get(c, 0), c)) for n in names] for c in currencies}
