"""A charger's uptime (pure): time online and each connector's time per status, per local day.

A timeline is a list of reports (a state from a moment on); each report lasts until the next
one of the same key, the last one until now. Reports are clipped to local days in the hub's
timezone (a day across a DST change has its 23 or 25 hours; today runs until now). Times are
whole epoch seconds, so the figures are exact integers and the SQL sums
(`console.services.uptime_rows`) can be held equal to these.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

ONLINE, OFFLINE = "online", "offline"
AVAILABLE, CHARGING, RESERVED, FAULTED, UNAVAILABLE = (
    "Available",
    "Charging",
    "Reserved",
    "Faulted",
    "Unavailable",
)
CATEGORIES = (AVAILABLE, CHARGING, RESERVED, FAULTED, UNAVAILABLE)
# OCPP 1.6 ChargePointStatus and 2.0.1 ConnectorStatusEnumType as an operator reads them: a
# car plugged in (preparing, charging, suspended, finishing; 2.0.1's Occupied) is "Charging".
CATEGORY_OF: Mapping[str, str] = {
    "Available": AVAILABLE,
    "Preparing": CHARGING,
    "Charging": CHARGING,
    "SuspendedEV": CHARGING,
    "SuspendedEVSE": CHARGING,
    "Finishing": CHARGING,
    "Occupied": CHARGING,
    "Reserved": RESERVED,
    "Faulted": FAULTED,
    "Unavailable": UNAVAILABLE,
}
IN_SERVICE = frozenset({AVAILABLE, CHARGING, RESERVED})
UNRECORDED = "Not recorded"  # time before a key's first report
CHARGER = (0, 0)  # the key of the charger's own timeline (connectors are (EVSE or 1.6 id, n))


class Report(NamedTuple):
    """From `at` (epoch seconds) on, `key` (a connector, or the charger) was in `state`."""

    key: Hashable
    at: int
    state: str


class Period(NamedTuple):
    """`key` was in `state` from `start` to `end` (epoch seconds, end excluded)."""

    key: Hashable
    start: int
    end: int
    state: str


class Day(NamedTuple):
    """A local day clipped to the window: its date and its bounds in epoch seconds."""

    day: date
    start: int
    end: int

    @property
    def seconds(self) -> int:
        """How long the day is (23, 24 or 25 hours; today until now)."""
        return self.end - self.start


class Streak(NamedTuple):
    """The charger's current state and since when (None: not recorded when it began)."""

    online: bool
    since: int | None


def category(status: str) -> str:
    """The status category of an OCPP connector status (an unknown one stays as it is)."""
    return CATEGORY_OF.get(status, status)


def window_days(now: datetime, count: int, tz: ZoneInfo) -> list[Day]:
    """The `count` local days ending today, today cut at `now` (whole seconds)."""
    last = now.astimezone(tz).date()
    until = int(now.timestamp())
    days = []
    for back in range(count - 1, -1, -1):
        d = last - timedelta(days=back)
        start = int(datetime.combine(d, time(), tz).timestamp())
        end = int(datetime.combine(d + timedelta(days=1), time(), tz).timestamp())
        days.append(Day(d, start, max(start, min(end, until))))
    return days


def _ordered(reports: Iterable[Report]) -> dict[Hashable, list[Report]]:
    """Reports by key, in time order; two of one moment by state (the SQL orders them so)."""
    timelines: dict[Hashable, list[Report]] = defaultdict(list)
    for r in reports:
        timelines[r.key].append(r)
    for timeline in timelines.values():
        timeline.sort(key=lambda r: (r.at, r.state))
    return timelines


def periods(reports: Iterable[Report], until: int) -> list[Period]:
    """Each report lasting until its key's next one, the last until `until` (now)."""
    found = []
    for timeline in _ordered(r for r in reports if r.at < until).values():
        ends = [r.at for r in timeline[1:]] + [until]
        found += [Period(r.key, r.at, end, r.state) for r, end in zip(timeline, ends, strict=True)]
    return [p for p in found if p.end > p.start]


def opening(reports: Iterable[Report], since: int) -> list[Report]:
    """What each key was in as the window opens: its last report before `since`, moved to
    just before it (so the reports from `since` on, a report at `since` itself too, tell the
    same window as the whole history)."""
    before = _ordered(r for r in reports if r.at < since)
    return [Report(key, since - 1, timeline[-1].state) for key, timeline in before.items()]


Seconds = dict[tuple[Hashable, str], int]


def seconds_by_day(found: Iterable[Period], days: Sequence[Day]) -> list[Seconds]:
    """Per day, the seconds of each (key, state): periods clipped to the days' bounds."""
    totals: list[Seconds] = [defaultdict(int) for _ in days]
    for p in found:
        for i, d in enumerate(days):
            overlap = min(p.end, d.end) - max(p.start, d.start)
            if overlap > 0:
                totals[i][(p.key, p.state)] += overlap
    return [dict(t) for t in totals]


def share(seconds: int, whole: int) -> float | None:
    """`seconds` as a % of `whole`, rounded down to 0.01 (shares of a day never add up to
    more than 100); None for no time at all."""
    if whole <= 0:
        return None
    return (10_000 * seconds // whole) / 100


def known(per: Seconds, key: Hashable) -> int:
    """Seconds `key` was in any state (recorded at all) in `per`."""
    return sum(seconds for (k, _), seconds in per.items() if k == key)


def shares_of(
    per: Seconds, whole: int, key: Hashable, states: Sequence[str]
) -> dict[str, float | None]:
    """The % of `whole` that `key` spent in each of `states`, and with nothing recorded
    (UNRECORDED); all None when nothing at all was."""
    recorded = known(per, key)
    if not recorded:
        return dict.fromkeys([*states, UNRECORDED])
    found = {state: share(per.get((key, state), 0), whole) for state in states}
    return {**found, UNRECORDED: share(whole - recorded, whole)}


def day_shares(
    seconds: Sequence[Seconds], days: Sequence[Day], key: Hashable, states: Sequence[str]
) -> list[dict[str, float | None]]:
    """Per day, the % of the day `key` spent in each of `states`."""
    return [shares_of(per, d.seconds, key, states) for per, d in zip(seconds, days, strict=True)]


def window_seconds(seconds: Sequence[Seconds]) -> Seconds:
    """The days' seconds added up."""
    total: Seconds = defaultdict(int)
    for per in seconds:
        for item, n in per.items():
            total[item] += n
    return dict(total)


def window_shares(
    seconds: Sequence[Seconds], days: Sequence[Day], key: Hashable, states: Sequence[str]
) -> dict[str, float | None]:
    """The % of the whole window `key` spent in each of `states`."""
    return shares_of(window_seconds(seconds), sum(d.seconds for d in days), key, states)


class ChargerRow(NamedTuple):
    """What the chargers row knows of its connection (epoch seconds)."""

    connected_at: int | None
    disconnected_at: int | None
    last_seen_at: int | None
    is_online: bool


def presence_extras(last_event: Report | None, row: ChargerRow) -> list[Report]:
    """Online/offline reports the chargers row adds to the stored events (whose last one is
    `last_event`): its latest connect and disconnect (the only record from before events were
    kept), and its state now.

    When the state now is not what the last report says (changed without an event), it is
    taken to hold since the later of that report and the charger's last sign of life.
    """
    key = CHARGER
    found = []
    connected_at, disconnected_at, last_seen_at, is_online = row
    if connected_at is not None:
        found.append(Report(key, connected_at, ONLINE))
    if disconnected_at is not None:
        found.append(Report(key, disconnected_at, OFFLINE))
    now_state = ONLINE if is_online else OFFLINE
    known = [*found, last_event] if last_event is not None else found
    last = max(known, key=lambda r: (r.at, r.state), default=None)
    if last is not None and last.state == now_state:
        return found
    began = [t for t in (last_seen_at, last.at if last else None) if t is not None]
    if began:
        found.append(Report(key, max(began), now_state))
    return found


def streak(reports: Iterable[Report], online: bool) -> Streak:
    """How long the charger has been in its state now: since the first report of the run of
    that state ending the timeline (None when no report says so)."""
    state = ONLINE if online else OFFLINE
    timeline = sorted(reports, key=lambda r: (r.at, r.state))
    since = None
    for r in reversed(timeline):
        if r.state != state:
            break
        since = r.at
    return Streak(online, since)


def duration(seconds: int) -> str:
    """A length of time in its two largest units ("3 d 4 h", "5 h 12 min", "40 s")."""
    seconds = max(0, seconds)
    units = (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1))
    parts: list[str] = []
    for name, size in units:
        if seconds >= size or (name == "s" and not parts):
            parts.append(f"{seconds // size} {name}")
            seconds %= size
        elif parts:
            break  # a zero right after the largest unit: "2 d", not "2 d 0 h 5 min"
        if len(parts) == 2:
            break
    return " ".join(parts)
