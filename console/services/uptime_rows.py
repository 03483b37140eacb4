"""A charger's uptime in SQL: its reports' seconds per local day and state, summed where
they are stored.

`console.uptime` is the same arithmetic in Python (a test holds them equal on SQLite and
PostgreSQL): each report lasts until its key's next one or now, clipped to each day. Reports
are (k1, k2, t, state) rows: the connector (1.6 connector id or 2.0.1 EVSE id, then the
connector inside the EVSE or 0) or `uptime.CHARGER`, epoch seconds, and the state.

Statements are built once per shape (dialect, table, number of days and of reports added)
with bound parameters, and kept: building a 30-day statement costs more than running it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from console import uptime
from console.services.dashboard_rows import bucket_in
from console.services.paging import AnySelect
from console.uptime import Day, Report, Seconds
from mobility.models import ChargerConnectionEvent, ConnectorStatusEvent, UTCDateTime

Key = tuple[int, int]
STATUSES, PRESENCE = "statuses", "presence"
# Events read from a streak's start: it begins at the first of them of the state now (every
# later one is of that state too, but for those of the start's very second).
STREAK_EVENTS = 20


def category(status: Any) -> ColumnElement[str]:
    """`uptime.category` in SQL."""
    return case(uptime.CATEGORY_OF, value=status, else_=status)


def _int(name: str) -> Any:
    return bindparam(name, type_=Integer)


def _moment(name: str) -> Any:
    return bindparam(name, type_=UTCDateTime())


def _inner(e: type[ConnectorStatusEvent]) -> ColumnElement[int]:
    return func.coalesce(e.evse_connector_id, 0)


def _dialect(s: Session) -> str:
    return s.get_bind().dialect.name


def _statuses(dialect: str) -> AnySelect:
    """The charger's (`:charger`) status reports as report rows."""
    e = ConnectorStatusEvent
    return select(
        e.connector_id.label("k1"),
        _inner(e).label("k2"),
        bucket_in(dialect, e.timestamp, 1).label("t"),
        category(e.status).label("state"),
    ).where(e.charger_id == _int("charger"), e.connector_id > 0)


def _presence(dialect: str) -> AnySelect:
    """The charger's (`:charger`) connection events as report rows."""
    c = ChargerConnectionEvent
    return select(
        literal(uptime.CHARGER[0], Integer).label("k1"),
        literal(uptime.CHARGER[1], Integer).label("k2"),
        bucket_in(dialect, c.at, 1).label("t"),
        case((c.online.is_(True), uptime.ONLINE), else_=uptime.OFFLINE).label("state"),
    ).where(c.charger_id == _int("charger"))


def _reports(rows: Iterable[Any]) -> list[Report]:
    return [Report((k1, k2), t, state) for k1, k2, t, state in rows]


@lru_cache(maxsize=64)
def _statuses_before(dialect: str, keys: int) -> Any:
    """`statuses_before` for `keys` connectors (`:k1_j`, `:k2_j`), built once."""
    e = ConnectorStatusEvent
    parts = []
    for j in range(keys):
        mine = (
            e.charger_id == _int("charger"),
            e.connector_id == _int(f"k1_{j}"),
            _inner(e) == _int(f"k2_{j}"),
        )
        last = (
            select(e.timestamp)
            .where(*mine, e.timestamp < _moment("since"))
            .order_by(e.timestamp.desc())
            .limit(1)
            .scalar_subquery()
        )
        parts.append(_statuses(dialect).where(*mine, e.timestamp == last))
    return union_all(*parts)


def statuses_before(
    s: Session, charger_id: int, keys: Sequence[Key], since: datetime
) -> list[Report]:
    """Each connector's last reports before `since` (all of that moment: the fold picks one).

    `keys` are the charger's connector rows (every report makes or updates one). One index
    read back from `since` per connector, not a scan of the charger's history.
    """
    if not keys:
        return []
    params: dict[str, Any] = {"charger": charger_id, "since": since}
    for j, (k1, k2) in enumerate(keys):
        params |= {f"k1_{j}": k1, f"k2_{j}": k2}
    return _reports(s.execute(_statuses_before(_dialect(s), len(keys)), params))


@lru_cache(maxsize=8)
def _presence_before(dialect: str, bounded: bool) -> Any:
    """`presence_before`, built once (bounded: before `:since`)."""
    c = ChargerConnectionEvent
    last = select(c.at).where(c.charger_id == _int("charger"))
    if bounded:
        last = last.where(c.at < _moment("since"))
    moment = last.order_by(c.at.desc()).limit(1).scalar_subquery()
    return _presence(dialect).where(c.at == moment)


def presence_before(s: Session, charger_id: int, since: datetime | None) -> list[Report]:
    """The charger's last connection events before `since` (None: its very last ones)."""
    params: dict[str, Any] = {"charger": charger_id}
    if since is not None:
        params["since"] = since
    return _reports(s.execute(_presence_before(_dialect(s), since is not None), params))


def presence_last(s: Session, charger_id: int, online: bool) -> int | None:
    """When the charger last came online (or went offline), in whole epoch seconds."""
    c = ChargerConnectionEvent
    last = (
        select(bucket_in(_dialect(s), c.at, 1))
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
    found = _presence(_dialect(s))
    if since is not None:
        found = found.where(c.at >= since)
    query = found.order_by(c.at, c.id).limit(limit)
    return _reports(s.execute(query, {"charger": charger_id}))


def _added(count: int) -> list[AnySelect]:
    """Reports known in Python (`:xk1_j`, `:xk2_j`, `:xt_j`, `:xs_j`) as rows."""
    return [
        select(
            _int(f"xk1_{j}").label("k1"),
            _int(f"xk2_{j}").label("k2"),
            _int(f"xt_{j}").label("t"),
            bindparam(f"xs_{j}", type_=String).label("state"),
        )
        for j in range(count)
    ]


def _day_of(moment: Any, days: int) -> Any:
    """The index of the day (`:lo_i` its start) a moment inside the window falls in (a
    materialised column: SQLite would compute an inlined expression once per comparison)."""
    return case(*((moment < _int(f"lo_{i}"), i - 1) for i in range(1, days)), else_=days - 1)


@lru_cache(maxsize=64)
def _sums(dialect: str, source: str, days: int, added: int) -> Any:
    """Per day index, key and state, the seconds of the periods within one day (most of
    them: put in their day by comparing with the days' starts), and the periods across
    days as they are (day index -1; at most one per key and midnight)."""
    if source == STATUSES:
        e = ConnectorStatusEvent
        stored = _statuses(dialect).where(
            e.timestamp >= _moment("since"), e.timestamp < _moment("until")
        )
    else:
        c = ChargerConnectionEvent
        stored = _presence(dialect).where(c.at >= _moment("since"), c.at < _moment("until"))
    r = union_all(stored, *_added(added)).subquery("reports")
    end = func.lead(r.c.t).over(partition_by=(r.c.k1, r.c.k2), order_by=(r.c.t, r.c.state))
    since = _int("lo_0")
    spans = select(
        r.c.k1,
        r.c.k2,
        r.c.state,
        case((r.c.t < since, since), else_=r.c.t).label("s0"),
        func.coalesce(end, _int("end")).label("e0"),
    ).subquery("spans")
    placed = (
        select(
            spans,
            _day_of(spans.c.s0, days).label("i0"),
            _day_of(spans.c.e0 - 1, days).label("i1"),
        )
        .where(spans.c.e0 > spans.c.s0)
        .cte("placed")
    )
    p = placed.c
    within = (
        select(p.i0, p.k1, p.k2, p.state, func.sum(p.e0 - p.s0), p.i0, p.i0)
        .where(p.i0 == p.i1)
        .group_by(p.i0, p.k1, p.k2, p.state)
    )
    across = select(literal(-1, Integer), p.k1, p.k2, p.state, p.e0 - p.s0, p.s0, p.e0).where(
        p.i1 > p.i0
    )
    return union_all(within, across)


def _params(charger_id: int, added: Sequence[Report], days: Sequence[Day]) -> dict[str, Any]:
    """The bound values of a `_sums` statement."""
    params: dict[str, Any] = {
        "charger": charger_id,
        "since": datetime.fromtimestamp(days[0].start, UTC),
        "until": datetime.fromtimestamp(days[-1].end, UTC),
        "end": days[-1].end,
    }
    for i, d in enumerate(days):
        params |= {f"lo_{i}": d.start, f"hi_{i}": d.end}
    for j, r in enumerate(added):
        k1, k2 = cast(Key, r.key)
        params |= {f"xk1_{j}": k1, f"xk2_{j}": k2, f"xt_{j}": r.at, f"xs_{j}": r.state}
    return params


def _seconds(
    s: Session, source: str, charger_id: int, added: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, seconds of each (key, state): the stored reports of the window and `added`
    (what held as it opened, the rows' own reports), each until the next of its key or now."""
    query = _sums(_dialect(s), source, len(days), len(added))
    found: list[Seconds] = [{} for _ in days]
    across = []
    for i, k1, k2, state, seconds, start, end in s.execute(query, _params(charger_id, added, days)):
        if i < 0:
            across.append(uptime.Period((k1, k2), start, end, state))
        else:
            found[i][((k1, k2), state)] = int(seconds)
    for per, split in zip(found, uptime.seconds_by_day(across, days), strict=True):
        for key, n in split.items():
            per[key] = per.get(key, 0) + n
    return found


def status_seconds(
    s: Session, charger_id: int, added: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, each connector's seconds per status category (`uptime.seconds_by_day`)."""
    return _seconds(s, STATUSES, charger_id, added, days)


def presence_seconds(
    s: Session, charger_id: int, added: Sequence[Report], days: Sequence[Day]
) -> list[Seconds]:
    """Per day, the charger's seconds online and offline (`uptime.seconds_by_day`)."""
    return _seconds(s, PRESENCE, charger_id, added, days)
