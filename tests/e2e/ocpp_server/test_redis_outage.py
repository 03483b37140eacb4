"""Redis killed under an OCPP node: chargers keep connecting, bookkeeping completes, routes return.

The test owns its redis-server (a spare port, no persistence) so it can kill -9 it and start an
empty one; chargers are the ocpp library's ChargePoint over real websockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from ocpp.v16 import call
from sqlalchemy import select

from mobility.app import ocpp_node
from mobility.demo import seed_demo
from mobility.errors import ChargerUnavailable
from mobility.models import Charger, Connector
from mobility.redis_bus import RedisBus
from ocpp_server.server import OcppServer
from tests.e2e.ocpp_server.conftest import connect
from tests.support.outages import RedisServer

BOOT = call.BootNotification(charge_point_model="M", charge_point_vendor="V")


@pytest.fixture
def redis_server(tmp_path) -> Any:
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
async def node(db, settings, redis_server) -> AsyncIterator[OcppServer]:
    seed_demo(db)
    node_id = f"outage-{redis_server.port}"
    srv = ocpp_node(
        settings.with_(node_id=node_id), db=db, bus=RedisBus(redis_server.url, node_id=node_id)
    )
    await srv.start()
    yield srv
    await srv.stop()
    srv.bus.close()


def _online(db: Any) -> dict[str, tuple[bool, str | None]]:
    with db.sessions() as s:
        rows = s.execute(select(Charger.charge_point_id, Charger.is_online, Charger.connected_node))
        return {cp: (online, node) for cp, online, node in rows}


async def _until(check: Any, seconds: float) -> None:
    for _ in range(int(seconds / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
    assert check()


async def test_chargers_are_served_through_a_redis_outage_and_routes_return_at_once(
    node, db, redis_server, caplog
):
    caplog.set_level(logging.INFO)
    probe = RedisBus(redis_server.url, node_id="probe")
    async with contextlib.AsyncExitStack() as stack:
        held = await stack.enter_async_context(connect(node, "CP-LYON-001"))
        leaving_ctx = connect(node, "CP-LYON-002")
        leaving = await leaving_ctx.__aenter__()
        for cp in (held, leaving):
            assert (await cp.call(BOOT)).status == "Accepted"
        await _until(lambda: probe.redis.get("ocpp:route:CP-LYON-002") == node.settings.node_id, 5)

        redis_server.kill()
        # A charger arriving during the outage connects and boots like any other.
        newcomer = await stack.enter_async_context(connect(node, "CP-LYON-003"))
        assert (await newcomer.call(BOOT)).status == "Accepted"
        await newcomer.call(call.Heartbeat())
        # One leaves during the outage: it must not stay "online" at this node.
        await leaving_ctx.__aexit__(None, None, None)
        await asyncio.sleep(0.3)
        await node.presence.flush()
        here = node.settings.node_id
        states = _online(db)
        assert states["CP-LYON-002"] == (False, None)
        assert states["CP-LYON-001"] == states["CP-LYON-003"] == (True, here)
        # The chargers held all along were never dropped.
        assert await held.call(call.Heartbeat())

        redis_server.start()  # back, empty
        routes = {cp: f"ocpp:route:{cp}" for cp in ("CP-LYON-001", "CP-LYON-002", "CP-LYON-003")}
        # At once: well before the 30 s refresh period.
        await _until(
            lambda: (
                probe.redis.get(routes["CP-LYON-001"]) == here
                and probe.redis.get(routes["CP-LYON-003"]) == here
            ),
            5,
        )
        assert probe.redis.get(routes["CP-LYON-002"]) is None
        for cp in ("CP-LYON-001", "CP-LYON-003"):
            assert await probe.call(cp, "ClearCache", {}, timeout=5) == {"status": "Accepted"}
        with pytest.raises(ChargerUnavailable):
            await probe.call("CP-LYON-002", "ClearCache", {}, timeout=2)
    probe.close()
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks for an outage"


async def test_a_node_stops_cleanly_while_redis_is_down(node, db, redis_server):
    async with connect(node, "CP-LYON-001") as cp:
        assert (await cp.call(BOOT)).status == "Accepted"
        redis_server.kill()
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Faulted")
        )
        await asyncio.wait_for(node.stop(), 10)
        await asyncio.wait_for(cp._connection.wait_closed(), 5)
        assert cp._connection.close_code == 1001  # going away, as at any graceful stop
    # What the charger was told is stored, and it is not left online.
    with db.sessions() as s:
        status = s.scalar(
            select(Connector.status)
            .join(Charger, Charger.id == Connector.charger_id)
            .where(Charger.charge_point_id == "CP-LYON-001", Connector.connector_id == 1)
        )
    assert status == "Faulted"
    assert _online(db)["CP-LYON-001"] == (False, None)
