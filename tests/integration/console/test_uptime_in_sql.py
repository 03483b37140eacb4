"""A charger's uptime summed per day in SQL gives the pure fold's figures for any history."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from console import uptime
from console.services.charger_uptime import timelines
from console.uptime import CHARGER, ChargerRow, Report
from mobility.demo import seed_demo
from mobility.models import (
    Charger,
    ChargerConnectionEvent,
    Connector,
    ConnectorStatusEvent,
    EvseConnector,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 30, 15, 20, 7, tzinfo=PARIS)
DAYS = uptime.window_days(NOW, 4, PARIS)  # 29 March has 23 hours
SINCE = DAYS[0].start
# Keys of each protocol: 1.6 connectors, 2.0.1 (EVSE, connector inside it).
KEYS = {"1.6": [(1, 0), (2, 0)], "2.0.1": [(1, 1), (1, 2), (2, 1)]}
STATUS = st.sampled_from(
    ["Available", "Charging", "Occupied", "Faulted", "Unavailable", "Reserved", "SuspendedEV"]
)
OFFSET = st.integers(-3 * 86_400, 4 * 86_400)  # seconds from the window's start; some after now
MAYBE = st.none() | OFFSET
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def histories(draw: st.DrawFn) -> dict[str, Any]:
    protocol = draw(st.sampled_from(sorted(KEYS)))
    keys = st.integers(0, len(KEYS[protocol]) - 1)
    return {
        "protocol": protocol,
        "reports": draw(st.lists(st.tuples(keys, OFFSET, STATUS), max_size=20)),
        "rows": draw(st.lists(st.none() | st.tuples(OFFSET, STATUS), min_size=3, max_size=3)),
        "events": draw(st.lists(st.tuples(OFFSET, st.booleans()), max_size=12)),
        "charger": (draw(MAYBE), draw(MAYBE), draw(MAYBE), draw(st.booleans())),
    }


@pytest.fixture
def charger_id(db) -> int:
    seed_demo(db)
    with db.sessions() as s:
        return s.scalar(select(Charger.id).where(Charger.charge_point_id == "CP-LYON-001"))


def _dt(offset: int | None) -> datetime | None:
    return None if offset is None else datetime.fromtimestamp(SINCE + offset, UTC)


def _t(offset: int | None) -> int | None:
    return None if offset is None else SINCE + offset


def _store(db: Any, charger_id: int, h: dict[str, Any]) -> None:
    """The history as stored: the events, each connector's row, the charger's row."""
    keys = KEYS[h["protocol"]]
    connected, disconnected, seen, online = h["charger"]
    with db.transaction() as s:
        for table in (ConnectorStatusEvent, ChargerConnectionEvent, EvseConnector, Connector):
            s.execute(delete(table).where(table.charger_id == charger_id))
        s.execute(
            update(Charger)
            .where(Charger.id == charger_id)
            .values(
                ocpp_version=h["protocol"],
                connected_at=_dt(connected),
                disconnected_at=_dt(disconnected),
                last_seen_at=_dt(seen),
                is_online=online,
            )
        )
        for i, offset, status in h["reports"]:
            outer, inner = keys[i]
            s.add(
                ConnectorStatusEvent(
                    charger_id=charger_id,
                    connector_id=outer,
                    evse_connector_id=inner if h["protocol"] == "2.0.1" else None,
                    status=status,
                    timestamp=_dt(offset),
                )
            )
        for offset, is_online in h["events"]:
            s.add(ChargerConnectionEvent(charger_id=charger_id, online=is_online, at=_dt(offset)))
        for (outer, inner), row in zip(keys, h["rows"], strict=False):
            at, status = row if row else (None, "Unavailable")
            if h["protocol"] == "2.0.1":
                s.add(
                    EvseConnector(
                        charger_id=charger_id,
                        evse_id=outer,
                        connector_id=inner,
                        status=status,
                        status_at=_dt(at),
                    )
                )
            else:
                s.add(
                    Connector(
                        charger_id=charger_id, connector_id=outer, status=status, status_at=_dt(at)
                    )
                )


def _folded(h: dict[str, Any]) -> tuple[list[Any], list[Any], uptime.Streak]:
    """The pure fold over the whole history, as the SQL is meant to sum it."""
    keys = KEYS[h["protocol"]]
    until = DAYS[-1].end
    statuses = [Report(keys[i], _t(o), uptime.category(st)) for i, o, st in h["reports"]]
    statuses += [
        Report(key, _t(row[0]), uptime.category(row[1]))
        for key, row in zip(keys, h["rows"], strict=False)
        if row
    ]
    events = [
        Report(CHARGER, _t(o), uptime.ONLINE if on else uptime.OFFLINE) for o, on in h["events"]
    ]
    connected, disconnected, seen, online = h["charger"]
    last = max(events, key=lambda r: (r.at, r.state), default=None)
    extras = uptime.presence_extras(
        last, ChargerRow(_t(connected), _t(disconnected), _t(seen), online)
    )
    presence = events + extras
    return (
        uptime.seconds_by_day(uptime.periods(statuses, until), DAYS),
        uptime.seconds_by_day(uptime.periods(presence, until), DAYS),
        uptime.streak(presence, online),
    )


@SLOW
@given(h=histories())
@example(
    h={
        "protocol": "1.6",
        "reports": [(0, -3600, "Faulted"), (0, 7200, "Available"), (0, 7200, "Charging")],
        "rows": [(7200, "Charging"), None, None],
        "events": [(-86_400, True), (3600, False), (3600, True)],
        "charger": (3600, 3600, 5000, True),
    }
)
@example(
    h={
        "protocol": "2.0.1",
        "reports": [(1, -10, "Occupied"), (2, 90_000, "Faulted"), (1, 400_000, "Available")],
        "rows": [None, (90_000, "Faulted"), (-5, "Available")],
        "events": [(10, False)],
        "charger": (None, None, 20, True),
    }
)
@example(  # a report at the window's very start, after one before it
    h={
        "protocol": "1.6",
        "reports": [(0, 0, "Faulted"), (0, -1, "Available")],
        "rows": [None, None, None],
        "events": [(0, False), (-1, True)],
        "charger": (None, None, None, False),
    }
)
@example(  # the row's disconnect between two stored connects
    h={
        "protocol": "1.6",
        "reports": [],
        "rows": [None, None, None],
        "events": [(0, True), (1, True)],
        "charger": (None, 1, None, True),
    }
)
def test_sql_sums_agree_with_the_fold(db, charger_id, h):
    _store(db, charger_id, h)
    with db.sessions() as s:
        charger = s.get(Charger, charger_id)
        connectors = list(s.scalars(select(Connector).where(Connector.charger_id == charger_id)))
        inside = list(
            s.scalars(select(EvseConnector).where(EvseConnector.charger_id == charger_id))
        )
        in_sql = timelines(s, charger, connectors, inside, DAYS)
    statuses, presence, streak = _folded(h)
    assert in_sql.statuses == statuses
    assert in_sql.presence == presence
    assert in_sql.streak == streak
    assert set(in_sql.connectors) == set(KEYS[h["protocol"]])
