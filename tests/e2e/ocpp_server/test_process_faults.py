"""The OCPP node as a real process under load: SIGTERM stops it cleanly, kill -9 loses nothing.

Chargers are the ocpp library's ChargePoint over real websockets; the node is `mobility ocpp`
started as a child process on the session's database kind (SQLite or PostgreSQL, with Redis
when REDIS_URL is set).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from ocpp.exceptions import OCPPError
from ocpp.v16 import call
from sqlalchemy import func, select

from mobility import migrations
from mobility.config import load_settings
from mobility.db import Database
from mobility.demo import CHARGER_PASSWORD, seed_demo
from mobility.models import (
    Charger,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    MeterValue,
)
from mobility.security import token_digest
from tests.e2e.ocpp_server.conftest import Charger as SimulatedCharger
from tests.e2e.ocpp_server.conftest import basic
from tests.support.node_process import NodeProcess

CHARGERS = 16
ID_TAG = "RFID-CONFLUENCE-0001"  # the demo district's accepted card
LOAD_SECONDS = 1.5


@pytest.fixture
def fault_db(fresh_database_url):
    """A migrated database of its own with the demo district and CHARGERS more chargers."""
    url = fresh_database_url("faults")
    db = Database(load_settings({}, database_url=url, secret_key="x", testing=True))
    migrations.upgrade(db.engine)
    seed_demo(db)
    prefix = f"F{uuid.uuid4().hex[:6]}"
    ids = [f"{prefix}-{i:02d}" for i in range(CHARGERS)]
    with db.transaction() as s:
        for cp_id in ids:
            charger = Charger(charge_point_id=cp_id, password_hash=token_digest(CHARGER_PASSWORD))
            s.add(charger)
            s.flush()
            s.add(Connector(charger_id=charger.id, connector_id=1))
    yield url, db, ids
    db.dispose()


@pytest.fixture
def node(fault_db, tmp_path):
    proc = NodeProcess(fault_db[0], tmp_path / "node.log", os.environ.get("REDIS_URL"))
    yield proc.start()
    proc.stop()


async def _online(port: int, cp_id: str) -> tuple[SimulatedCharger, Any, asyncio.Task[None]]:
    """A connected, booted charger; its websocket and the task reading it."""
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ocpp/{cp_id}",
        subprotocols=["ocpp1.6"],
        additional_headers=basic(cp_id, CHARGER_PASSWORD),
        open_timeout=20,
    )
    cp = SimulatedCharger(cp_id, ws, response_timeout=20)
    reader = asyncio.create_task(cp.start())
    boot = await cp.call(call.BootNotification(charge_point_model="F", charge_point_vendor="T"))
    assert boot.status == "Accepted"
    return cp, ws, reader


@dataclass
class Acked:
    """What the node acknowledged to the chargers."""

    statuses: set[str] = field(default_factory=set)
    meters: set[tuple[str, int]] = field(default_factory=set)


async def _report_until_closed(cp: SimulatedCharger, acked: Acked, kind: str) -> None:
    for n in range(1, 10**9):
        if kind == "status":
            info = f"{cp.id}-{n}"
            await cp.call(
                call.StatusNotification(
                    connector_id=1, error_code="NoError", status="Available", info=info
                )
            )
            acked.statuses.add(info)
        else:
            sample = {"value": str(n), "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
            stamp = datetime.now(UTC).isoformat()
            await cp.call(
                call.MeterValues(
                    connector_id=1, meter_value=[{"timestamp": stamp, "sampled_value": [sample]}]
                )
            )
            acked.meters.add((cp.id, n))


async def test_sigterm_under_load_answers_what_it_acknowledged_and_exits_cleanly(node, fault_db):
    _, db, ids = fault_db
    chargers = await asyncio.gather(*(_online(node.port, cp_id) for cp_id in ids))
    acked = Acked()
    load = [
        asyncio.create_task(_report_until_closed(cp, acked, kind))
        for cp, _, _ in chargers
        for kind in ("status", "meter")
    ]
    await asyncio.sleep(LOAD_SECONDS)
    signalled = time.monotonic()
    node.signal(signal.SIGTERM)
    for _, ws, _ in chargers:
        await asyncio.wait_for(ws.wait_closed(), 10)
    # Stopped accepting: a charger arriving now does not get in.
    with pytest.raises((OSError, websockets.InvalidHandshake, websockets.ConnectionClosed)):
        await _online(node.port, ids[0])
    code = await asyncio.to_thread(node.wait, 10)
    took = time.monotonic() - signalled
    for task in load:
        task.cancel()
    await asyncio.gather(*load, *(r for _, _, r in chargers), return_exceptions=True)

    assert code == 0, node.log()
    assert took < 5, f"exit took {took:.1f} s"
    assert {ws.close_code for _, ws, _ in chargers} == {1001}  # going away, sent cleanly
    assert "Traceback" not in node.log() and " ERROR " not in node.log(), node.log()
    # it was under load: every charger had reports acknowledged when the signal came
    assert len(acked.statuses) >= CHARGERS and len(acked.meters) >= CHARGERS
    with db.sessions() as s:
        statuses = [i for i in s.scalars(select(ConnectorStatusEvent.info)) if i]
        meters = [
            (cp, int(value))
            for cp, value in s.execute(
                select(Charger.charge_point_id, MeterValue.value).join(
                    Charger, Charger.id == MeterValue.charger_id
                )
            )
        ]
    # Every acknowledged report is stored, and once (a flush cut short is not written twice).
    assert acked.statuses <= set(statuses) and len(statuses) == len(set(statuses))
    assert acked.meters <= set(meters) and len(meters) == len(set(meters))


@dataclass
class Sessions:
    """A charger's view of its transactions: acknowledged ones, and the message in flight."""

    cp_id: str
    started: dict[int, int] = field(default_factory=dict)  # meter start -> transaction id
    stopped: set[int] = field(default_factory=set)  # transaction ids
    in_flight: Any = None  # the call to resend after a reconnect (as chargers queue them)
    base: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))

    def start_call(self, k: int) -> Any:
        stamp = (self.base + timedelta(seconds=2 * k)).isoformat()
        return call.StartTransaction(
            connector_id=1, id_tag=ID_TAG, meter_start=1000 * k, timestamp=stamp
        )

    def stop_call(self, k: int, tx_id: int) -> Any:
        stamp = (self.base + timedelta(seconds=2 * k + 1)).isoformat()
        return call.StopTransaction(
            transaction_id=tx_id, meter_stop=1000 * k + 500, timestamp=stamp, id_tag=ID_TAG
        )

    async def send(self, cp: SimulatedCharger, message: Any) -> Any:
        self.in_flight = message
        while True:
            try:
                answer = await cp.call(message, suppress=False)
                break
            except OCPPError:  # a CallError acknowledges nothing: send again, as chargers do
                await asyncio.sleep(0.2)
        self.in_flight = None
        if isinstance(message, call.StartTransaction):
            self.started[message.meter_start] = answer.transaction_id
        elif isinstance(message, call.StopTransaction):
            self.stopped.add(message.transaction_id)
        return answer

    async def run(self, cp: SimulatedCharger) -> None:
        for k in range(1, 10**6):
            answer = await self.send(cp, self.start_call(k))
            await self.send(cp, self.stop_call(k, answer.transaction_id))

    async def finish(self, cp: SimulatedCharger) -> None:
        """After reconnecting: resend what was in flight, then close an open session."""
        if self.in_flight is not None:
            await self.send(cp, self.in_flight)
        for meter_start, tx_id in list(self.started.items()):
            if tx_id not in self.stopped:
                await self.send(cp, self.stop_call(meter_start // 1000, tx_id))


async def test_kill_9_under_load_keeps_every_acknowledged_transaction_exactly_once(node, fault_db):
    _, db, ids = fault_db
    chargers = await asyncio.gather(*(_online(node.port, cp_id) for cp_id in ids))
    views = [Sessions(cp.id) for cp, _, _ in chargers]
    load = [asyncio.create_task(v.run(cp)) for v, (cp, _, _) in zip(views, chargers, strict=True)]
    await asyncio.sleep(2 * LOAD_SECONDS)
    node.signal(signal.SIGKILL)
    assert await asyncio.to_thread(node.wait, 10) == -signal.SIGKILL
    for _, ws, _ in chargers:
        await asyncio.wait_for(ws.wait_closed(), 10)
    for task in load:
        task.cancel()
    await asyncio.gather(*load, *(r for _, _, r in chargers), return_exceptions=True)
    # It was under load: sessions went through, and messages were in flight when it died.
    assert sum(len(v.started) for v in views) > CHARGERS
    assert any(v.in_flight is not None for v in views)

    node.start()
    again = await asyncio.gather(*(_online(node.port, cp_id) for cp_id in ids))
    await asyncio.gather(*(v.finish(cp) for v, (cp, _, _) in zip(views, again, strict=True)))

    with db.sessions() as s:
        for view in views:
            pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == view.cp_id))
            for meter_start, tx_id in view.started.items():
                rows = s.scalars(
                    select(ChargingTransaction).where(
                        ChargingTransaction.charger_id == pk,
                        ChargingTransaction.meter_start_wh == meter_start,
                    )
                ).all()
                assert [r.transaction_ref for r in rows] == [str(tx_id)]  # once, same id
                assert rows[0].meter_stop_wh == meter_start + 500  # and stopped
            assert s.scalar(
                select(func.count())
                .select_from(ChargingTransaction)
                .where(ChargingTransaction.charger_id == pk)
            ) == len(view.started)
    await _all_online_here(db, ids, node)
    if os.environ.get("REDIS_URL"):
        await _commands_reach(ids, node)
    for _, ws, reader in again:
        await ws.close()
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await reader


async def _all_online_here(db: Database, ids: list[str], node: NodeProcess) -> None:
    """Every charger is online at the restarted node (liveness is written in batches)."""
    deadline = time.monotonic() + 15
    while True:
        with db.sessions() as s:
            rows = s.execute(
                select(Charger.is_online, Charger.connected_node).where(
                    Charger.charge_point_id.in_(ids)
                )
            ).all()
        if {tuple(r) for r in rows} == {(True, node.env["NODE_ID"])}:
            return
        assert time.monotonic() < deadline, rows
        await asyncio.sleep(0.2)


async def _commands_reach(ids: list[str], node: NodeProcess) -> None:
    """Through Redis, a command for each charger reaches it at the restarted node."""
    from mobility.redis_bus import RedisBus

    bus = RedisBus(os.environ["REDIS_URL"], node_id="fault-test-caller")
    try:
        for cp_id in ids:
            answer = await asyncio.to_thread(bus.call_sync, cp_id, "ClearCache", {}, 10)
            assert answer["status"] == "Accepted"
    finally:
        bus.close()
