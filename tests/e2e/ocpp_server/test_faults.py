"""Faults at the OCPP node: outages, full queues, reconnect races, commands that time out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import websockets
from ocpp.exceptions import InternalError
from ocpp.v16 import call
from sqlalchemy import func, select

from mobility.demo import CHARGER_PASSWORD
from mobility.errors import CommandTimeout
from mobility.models import Charger, ChargerCommand, ConnectorStatusEvent
from tests.e2e.ocpp_server.conftest import basic, connect

STATUS = call.StatusNotification(connector_id=1, error_code="NoError", status="Available")


def _charger(db: Any, cp_id: str = "CP-LYON-001") -> Charger:
    with db.sessions() as s:
        return s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))


async def test_ten_simultaneous_connections_leave_exactly_one_served(server):
    url = f"ws://127.0.0.1:{server.port}/ocpp/CP-LYON-001"
    headers = basic("CP-LYON-001", CHARGER_PASSWORD)

    async def open_one() -> Any:
        return await websockets.connect(url, subprotocols=["ocpp1.6"], additional_headers=headers)

    sockets = await asyncio.gather(*(open_one() for _ in range(10)))
    try:
        await asyncio.sleep(1.0)
        alive = [ws for ws in sockets if ws.state.name == "OPEN"]
        assert len(alive) == 1
        # Commands reach the survivor, and it is the one the node has registered.
        await alive[0].send('[2, "hb", "Heartbeat", {}]')
        assert json.loads(await alive[0].recv())[:2] == [3, "hb"]
        command = asyncio.create_task(server.bus.call("CP-LYON-001", "ClearCache", {}, 5))
        frame = await asyncio.wait_for(alive[0].recv(), 5)
        kind, unique_id, action, _ = json.loads(frame)
        assert (kind, action) == (2, "ClearCache")
        await alive[0].send(f'[3, "{unique_id}", {{"status": "Accepted"}}]')
        assert await command == {"status": "Accepted"}
    finally:
        for ws in sockets:
            await ws.close()


async def test_online_only_while_a_socket_is_held(server, db):
    async with connect(server) as cp:
        await cp.call(call.Heartbeat())
        await asyncio.sleep(0.3)
        assert _charger(db).is_online
    # A sign of life noted just before the socket closed must not bring "online" back.
    await asyncio.sleep(2.5)  # two liveness batches later
    charger = _charger(db)
    assert charger.is_online is False and charger.connected_node is None


async def test_a_timed_out_command_is_recorded_as_timeout_even_when_the_bus_gives_up_first(
    server, db, settings
):
    server.settings = settings.with_(command_timeout=30)  # the charger's own deadline is later
    async with connect(server) as cp:
        cp.silent = True
        with pytest.raises(CommandTimeout):
            await server.bus.call("CP-LYON-001", "Reset", {"type": "Soft"}, timeout=0.5)
        await asyncio.sleep(0.5)
    with db.sessions() as s:
        assert s.scalar(select(ChargerCommand.status)) == "timeout"


async def test_when_reports_cannot_be_held_the_charger_gets_a_call_error(server, db):
    server.writes.limit = 0
    async with connect(server) as cp:
        with pytest.raises(InternalError):
            await cp.call(STATUS, suppress=False)
        server.writes.limit = 100
        await cp.call(STATUS)  # the socket is still served
        await server.flush_reports()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 1


@contextlib.asynccontextmanager
async def _database_down(server: Any, down_url: str) -> Any:
    """Point the node's report writer at a database that refuses connections, then back."""
    from mobility.db import Database

    up = server.writes.db
    server.writes.db = Database(up.settings.with_(database_url=down_url))
    try:
        yield
    finally:
        server.writes.db.dispose()
        server.writes.db = up


async def test_reports_acknowledged_during_an_outage_are_stored_when_it_ends(server, db):
    async with connect(server) as cp:
        async with _database_down(server, "postgresql://postgres@127.0.0.1:1/gone"):
            for minute in range(20):
                stamp = datetime(2026, 11, 24, 10, minute, tzinfo=UTC).isoformat()
                await cp.call(
                    call.StatusNotification(
                        connector_id=1, error_code="NoError", status="Charging", timestamp=stamp
                    )
                )
            await asyncio.sleep(0.5)  # several failed flushes
        await asyncio.sleep(6)  # the writer's back-off is at most 5 s
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 20
