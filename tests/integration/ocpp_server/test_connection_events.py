"""Every connect and disconnect is kept (the charger's uptime history), in one statement each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from mobility.app import build_core
from mobility.demo import seed_demo
from mobility.models import Charger, ChargerConnectionEvent


@pytest.fixture
def charging(db, settings) -> Any:
    seed_demo(db)
    core = build_core(settings, db=db)
    yield core.charging
    core.outbox.close()


def _events(db) -> list[tuple[str, bool, str | None]]:
    with db.sessions() as s:
        rows = s.execute(
            select(
                Charger.charge_point_id, ChargerConnectionEvent.online, ChargerConnectionEvent.node
            )
            .join(Charger, Charger.id == ChargerConnectionEvent.charger_id)
            .order_by(ChargerConnectionEvent.id)
        )
        return [(cp, online, node) for cp, online, node in rows]


def test_connects_and_disconnects_are_kept_at_the_time_the_row_says(db, charging):
    charging.record_connections(["CP-LYON-001", "CP-LYON-002"], [], "node-a")
    charging.record_connections([], ["CP-LYON-001"], "node-a")
    assert _events(db) == [
        ("CP-LYON-001", True, "node-a"),
        ("CP-LYON-002", True, "node-a"),
        ("CP-LYON-001", False, "node-a"),
    ]
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        times = s.scalars(
            select(ChargerConnectionEvent.at)
            .where(ChargerConnectionEvent.charger_id == charger.id)
            .order_by(ChargerConnectionEvent.id)
        ).all()
        assert times == [charger.connected_at, charger.disconnected_at]


def test_a_late_disconnect_from_a_node_that_lost_the_charger_is_not_kept(db, charging):
    charging.record_connections(["CP-LYON-001"], [], "node-a")
    charging.record_connections(["CP-LYON-001"], [], "node-b")  # it moved
    charging.record_connections([], ["CP-LYON-001"], "node-a")  # node a's late news
    assert _events(db) == [("CP-LYON-001", True, "node-a"), ("CP-LYON-001", True, "node-b")]


def test_the_offline_job_keeps_when_it_found_a_charger_silent(db, charging):
    charging.record_connections(["CP-LYON-001", "CP-LYON-002"], [], "node-a")
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    with db.transaction() as s:
        s.execute(
            update(Charger)
            .where(Charger.charge_point_id == "CP-LYON-002")
            .values(last_seen_at=long_ago)
        )
    assert charging.mark_offline() == ["CP-LYON-002"]
    assert charging.mark_offline() == []  # already offline: nothing kept twice
    assert _events(db)[-1] == ("CP-LYON-002", False, None)
    assert len(_events(db)) == 3
