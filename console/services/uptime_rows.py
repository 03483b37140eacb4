"""A charger's uptime in SQL: its reports' seconds per local day and state, summed where
they are stored.

`console.uptime` is the same arithmetic in Python (a test holds them equal on SQLite and
PostgreSQL): each report lasts until its key's next one or now, clipped to each day. Reports
are (k1, k2, t, state) rows: the connector (1.6 connector id or 2.0.1 EVSE id, then the
connector inside the EVSE or 0) or `uptime.CHARGER`, epoch seconds, and the state.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from console import uptime
from console.services.dashboard_rows import bucket
from console.services.paging import AnySelect
from console.uptime import Day, Report, Seconds
from mobility.models import ChargerConnectionEvent, ConnectorStatusEvent

Key = tuple[int, int]
# Events read from a streak's start: it begins at the first of them of the state now (every
# later one is of that state too, but for those of the start's very second).
STREAK_EVENTS = 20


def category(status: Any) -> ColumnElement[str]:
    """`uptime.category` in SQL."""
    return case(uptime.CATEGORY_OF, value=status, else_=status)


def _inner(e: type[ConnectorStatusEvent]) -> ColumnElement[int]:
    return func.coalesce(e.evse_connector_id, 0)


def _statuses(s: Session, charger_id: int) -> AnySelect:
    e = ConnectorStatusEvent
    return select(
        e.connector_id.label("k1"),
        _inner(e).label("k2"),
        bucket(s, e.timestamp, 1).label("t"),
        category(e.status).label("state"),
    ).where(e.charger_id == charger_id, e.connector_id > 0)


def _presence(s: Session, charger_id: int) -> AnySelect:
    c = ChargerConnectionEvent
    return select(
        literal(uptime.CHARGER[0]).label("k1"),
        literal(uptime.CHARGER[1]).label("k2"),
        bucket(s, c.at, 1).label("t"),
        case((c.online.is_(True), uptime.ONLINE), else_=uptime.OFFLINE).label("state"),
    ).where(c.charger_id == charger_id)


def _reports(rows: Iterable[Any]) -> list[Report]:
    return [Report((k1, k2), t, state) for k1, k2, t, state in rows]


def statuses_before(
    s: Session, charger_id: int, keys: Iterable[Key], since: datetime
) -> list[Report]:
    """Each connector's last reports before `since` (all of that moment: the fold picks one).

    `keys` are the charger's connector rows (every report makes or updates one). One index
    read back from `since` per connector, not a scan of the charger's history.
    """
    e = ConnectorStatusEvent
    parts = []
    for k1, k2 in keys:
        mine = (e.charger_id == charger_id, e.connector_id == k1, _inner(e) == k2)
        last = (
            select(e.timestamp)
            .where(*mine, e.timestamp < since)
            .order_by(e.timestamp.desc())
            .limit(1)
            .scalar_subquery()
        )
        parts.append(_statuses(s, charger_id).where(*mine, e.timestamp == last))
    return _reports(s.execute(union_all(*parts))) if parts else []


def presence_before(s: Session, charger_id: int, since: datetime | None) -> list[Report]:
    """The charger's last connection events before `since` (None: its very last ones)."""
    c = ChargerConnectionEvent
    last = select(c.at).where(c.charger_id == charger_id)
    if since is not None:
        last = last.where(c.at < since)
    moment = last.order_by(c.at.desc()).limit(1).scalar_subquery()
    return _reports(s.execute(_presence(s, charger_id).where(c.at == moment)))


def presence_last(s: Session, charger_id: int, online: bool) -> int | None:
    """When the charger last came online (or went offline), in whole epoch seconds."""
    c = ChargerConnectionEvent
    last = (
        select(bucket(s, c.at, 1))
        .where(c.charger_id == charger_id, c.online.is_(online))
        .order_by(c.at.desc())
        .limit(1)
    )
    found: int | None = s.scalar(last)
    return found


def presence_from(
    s: Session, charger_id: int, since: datetime | None, limit: int = STREAK_EVENTS
) -> list[Report]:
    """The charger's first connection events from `since` on (None: its first ever)."""
    c = ChargerConnectionEvent
    found = _presence(s, charger_id)
    if since is not None:
        found = found.where(c.at >= since)
    return _reports(s.execute(found.order_by(c.at, c.id).limit(limit)))


def _literal(reports: Iterable[Report]) -> list[AnySelect]:
    """Reports known in Python as rows of the query."""
    rows = []
    for r in reports:
        k1, k2 = cast(Key, r.key)
        rows.append(
            select(
                literal(k1).label("k1"),
                literal(k2).label("k2"),
                literal(int(r.at)).label("t"),
                literal(r.state).label("state"),
            )
        )
    return rows


def _days(days: Sequence[Day]) -> Any:
    return union_all(
        *(
            select(literal(i).label("i"), literal(d.start).label("lo"), literal(d.end).label("hi"))
            for i, d in enumerate(days)
        )
    ).subquery("days")


def _window(days: Sequence[Day]) -> tuple[datetime, datetime]:
    return datetime.fromtimestamp(days[0].start, UTC), datetime.fromtimestamp(days[-1].end, UTC)


def _sums(
    s: Session, stored: AnySelect, extra: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, seconds of each (key, state): the stored reports of the window and `extra`
    (what held as it opened, the rows' own reports), each until the next of its key or now."""
    r = union_all(stored, *_literal(extra)).subquery("reports")
    end = func.lead(r.c.t).over(partition_by=(r.c.k1, r.c.k2), order_by=(r.c.t, r.c.state))
    spans = select(
        r.c.k1, r.c.k2, r.c.t, r.c.state, func.coalesce(end, days[-1].end).label("end")
    ).subquery("spans")
    d = _days(days)
    overlap = case((spans.c.end < d.c.hi, spans.c.end), else_=d.c.hi) - case(
        (spans.c.t > d.c.lo, spans.c.t), else_=d.c.lo
    )
    joined = and_(spans.c.t < d.c.hi, spans.c.end > d.c.lo, spans.c.end > spans.c.t)
    rows = s.execute(
        select(d.c.i, spans.c.k1, spans.c.k2, spans.c.state, func.sum(overlap))
        .join_from(spans, d, joined)
        .group_by(d.c.i, spans.c.k1, spans.c.k2, spans.c.state)
    )
    found: list[Seconds] = [{} for _ in days]
    for i, k1, k2, state, seconds in rows:
        found[i][((k1, k2), state)] = int(seconds)
    return found


def status_seconds(
    s: Session, charger_id: int, extra: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, each connector's seconds per status category (`uptime.seconds_by_day`)."""
    since, until = _window(days)
    e = ConnectorStatusEvent
    stored = _statuses(s, charger_id).where(e.timestamp >= since, e.timestamp < until)
    return _sums(s, stored, extra, days)


def presence_seconds(
    s: Session, charger_id: int, extra: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, the charger's seconds online and offline (`uptime.seconds_by_day`)."""
    since, until = _window(days)
    c = ChargerConnectionEvent
    stored = _presence(s, charger_id).where(c.at >= since, c.at < until)
    return _sums(s, stored, extra, days)
