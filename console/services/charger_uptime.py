"""A charger's uptime for its console page: the last 30 local days in its hub's timezone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from console import uptime
from console.plots import COLOURS, DAY, Chart, Series
from console.services import uptime_rows as rows
from console.services.uptime_rows import Key
from console.uptime import Day, Report, Seconds, Streak
from mobility.models import Charger, Connector, EvseConnector

WINDOW_DAYS = 30
PRESENCE = (uptime.ONLINE, uptime.OFFLINE)


@dataclass(frozen=True)
class Outlet:
    """One connector's share of each status category, per day and over the window."""

    key: Key
    label: str
    days: list[dict[str, float | None]]
    total: dict[str, float | None]
    in_service: list[float | None]


@dataclass(frozen=True)
class Uptime:
    """What the charger page shows of its uptime."""

    zone: str
    days: list[Day]
    total: dict[str, float | None]
    outlets: list[Outlet]
    streak: Streak
    chart: Chart
    now: int

    def since_text(self) -> str:
        """When the current streak began, in the hub's time ('' when not recorded)."""
        if self.streak.since is None:
            return ""
        return datetime.fromtimestamp(self.streak.since, ZoneInfo(self.zone)).strftime(
            "%Y-%m-%d %H:%M"
        )

    def streak_length(self) -> str:
        """How long the current streak has lasted ('' when its start is not recorded)."""
        if self.streak.since is None:
            return ""
        return uptime.duration(self.now - self.streak.since)


def _order(r: Report) -> tuple[int, str]:
    return r.at, r.state


def _moment(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _epoch(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def label(key: Key, protocol: str | None) -> str:
    """How a connector is named on the page."""
    if protocol == "2.0.1":
        return f"EVSE {key[0]} connector {key[1]}" if key[1] else f"EVSE {key[0]}"
    return f"Connector {key[0]}"


def _own(
    charger: Charger, connectors: Sequence[Connector], inside: Sequence[EvseConnector]
) -> tuple[list[Key], list[Report]]:
    """The connectors, and their own rows as reports (each row keeps its latest status)."""
    if charger.ocpp_version == "2.0.1":
        found = [((x.evse_id, x.connector_id), x.status, x.status_at) for x in inside]
    else:
        found = [((c.connector_id, 0), c.status, c.status_at) for c in connectors]
    found = [f for f in found if f[0][0] > 0]  # connector 0: the charger as a whole (1.6)
    keys = sorted({key for key, _, _ in found})
    own = [
        Report(key, int(at.timestamp()), uptime.category(status))
        for key, status, at in found
        if at is not None
    ]
    return keys, own


def _extra(stored_before: list[Report], own: list[Report], days: Sequence[Day]) -> list[Report]:
    """The reports a window's SQL sum adds to the stored ones: what held as it opened, and
    the rows' own reports falling in it."""
    since, until = days[0].start, days[-1].end
    opened = uptime.opening([*stored_before, *(r for r in own if r.at < since)], since)
    return [*opened, *(r for r in own if since <= r.at < until)]


def _statuses(
    s: Session, charger: Charger, keys: list[Key], own: list[Report], days: Sequence[Day]
) -> tuple[list[Key], list[Seconds]]:
    """Each connector's seconds per status category per day (and every connector met)."""
    since = _moment(days[0].start)
    before = rows.statuses_before(s, charger.id, keys, since)
    seconds = rows.status_seconds(s, charger.id, _extra(before, own, days), days)
    met: set[Key] = {cast(Key, key) for per in seconds for key, _ in per}
    return sorted(met | set(keys)), seconds


def _presence(s: Session, charger: Charger, days: Sequence[Day]) -> tuple[list[Seconds], Streak]:
    row = uptime.ChargerRow(
        _epoch(charger.connected_at),
        _epoch(charger.disconnected_at),
        _epoch(charger.last_seen_at),
        charger.is_online,
    )
    last = max(rows.presence_before(s, charger.id, None), key=_order, default=None)
    own = uptime.presence_extras(last, row)
    since = _moment(days[0].start)
    before = rows.presence_before(s, charger.id, since)
    seconds = rows.presence_seconds(s, charger.id, _extra(before, own, days), days)
    return seconds, _streak(s, charger, own)


def _streak(s: Session, charger: Charger, own: list[Report]) -> Streak:
    """Since when the charger is in its state now: the first report of that state after the
    last one of the other (stored or the row's own)."""
    other = uptime.OFFLINE if charger.is_online else uptime.ONLINE
    turned = [r.at for r in own if r.state == other]
    last = rows.presence_last(s, charger.id, not charger.is_online)
    turn = max([*turned, last] if last is not None else turned, default=None)
    run = rows.presence_from(s, charger.id, None if turn is None else _moment(turn))
    fence = [Report(uptime.CHARGER, turn, other)] if turn is not None else []
    return uptime.streak([*fence, *run, *own], charger.is_online)


def _outlet(key: Key, name: str, seconds: list[Seconds], days: list[Day]) -> Outlet:
    serving = [
        uptime.share(sum(per.get((key, c), 0) for c in uptime.IN_SERVICE), d.seconds)
        if uptime.known(per, key)
        else None
        for per, d in zip(seconds, days, strict=True)
    ]
    return Outlet(
        key,
        name,
        uptime.day_shares(seconds, days, key, uptime.CATEGORIES),
        uptime.window_shares(seconds, days, key, uptime.CATEGORIES),
        serving,
    )


def _chart(zone: str, days: list[Day], online: list[float | None], outlets: list[Outlet]) -> Chart:
    series = [Series("Online", tuple(online), COLOURS[0])]
    series += [
        Series(f"{o.label} in service", tuple(o.in_service), COLOURS[1 + i % (len(COLOURS) - 1)])
        for i, o in enumerate(outlets)
    ]
    return Chart(
        "uptime-chart",
        f"Uptime per day, last {len(days)} days",
        "%",
        tuple(d.start for d in days),
        tuple(series),
        axis=DAY,
        step=86_400,
        zone=zone,
        note="Share of each local day the charger was connected, and each connector was "
        "Available, Charging or Reserved (not Faulted or Unavailable); today until now. "
        "Time before the first record counts as neither.",
    )


@dataclass(frozen=True)
class Timelines:
    """A charger's seconds per day: online/offline, and each connector's status categories."""

    connectors: list[Key]
    statuses: list[Seconds]
    presence: list[Seconds]
    streak: Streak


def timelines(
    s: Session,
    charger: Charger,
    connectors: Sequence[Connector],
    inside: Sequence[EvseConnector],
    days: Sequence[Day],
) -> Timelines:
    """The charger's reports summed per day in SQL (`console.uptime`'s arithmetic)."""
    presence, streak = _presence(s, charger, days)
    keys, seconds = _statuses(s, charger, *_own(charger, connectors, inside), days)
    return Timelines(keys, seconds, presence, streak)


def charger_uptime(
    s: Session,
    charger: Charger,
    connectors: Sequence[Connector],
    inside: Sequence[EvseConnector],
    zone: str,
    now: datetime,
) -> Uptime:
    """The last 30 local days of a charger: online, each connector's statuses, the streak."""
    days = uptime.window_days(now, WINDOW_DAYS, ZoneInfo(zone))
    found = timelines(s, charger, connectors, inside, days)
    outlets = [
        _outlet(key, label(key, charger.ocpp_version), found.statuses, days)
        for key in found.connectors
    ]
    per_day = uptime.day_shares(found.presence, days, uptime.CHARGER, PRESENCE)
    online = [day[uptime.ONLINE] for day in per_day]
    return Uptime(
        zone=zone,
        days=days,
        total=uptime.window_shares(found.presence, days, uptime.CHARGER, PRESENCE),
        outlets=outlets,
        streak=found.streak,
        chart=_chart(zone, days, online, outlets),
        now=days[-1].end,
    )
