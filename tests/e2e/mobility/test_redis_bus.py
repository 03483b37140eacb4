"""Redis bus: two OCPP nodes; a command reaches the node holding the charger's socket."""

import asyncio

import pytest
from ocpp.v16 import call

from mobility.app import ocpp_node
from mobility.demo import seed_demo
from mobility.errors import ChargerUnavailable, ValidationFailed
from mobility.redis_bus import RedisBus
from tests.e2e.ocpp_server.conftest import connect

pytestmark = pytest.mark.redis


async def test_commands_are_routed_to_the_node_holding_the_charger(db, settings, redis_url):
    seed_demo(db)
    nodes = []
    for name in ("node-a", "node-b"):
        s = settings.with_(node_id=f"{name}-{id(settings)}")
        srv = ocpp_node(s, db=db, bus=RedisBus(redis_url, node_id=s.node_id))
        await srv.start()
        nodes.append(srv)
    web_bus = RedisBus(redis_url, node_id="web")
    try:
        async with connect(nodes[0], "CP-LYON-001") as a, connect(nodes[1], "CP-LYON-002") as b:
            await a.call(call.Heartbeat())
            await b.call(call.Heartbeat())
            one = await web_bus.call("CP-LYON-001", "Reset", {"type": "Soft"}, timeout=5)
            two = await web_bus.call("CP-LYON-002", "ClearCache", {}, timeout=5)
            assert one == {"status": "Accepted"} and two == {"status": "Accepted"}
            with pytest.raises(ValidationFailed):
                await web_bus.call("CP-LYON-002", "Reset", {"type": "Bogus"}, timeout=5)
        await asyncio.sleep(0.2)
        with pytest.raises(ChargerUnavailable):
            await web_bus.call("CP-LYON-001", "Reset", {"type": "Soft"}, timeout=2)
        with pytest.raises(ChargerUnavailable):
            await web_bus.call("CP-NEVER-SEEN", "Reset", {"type": "Soft"}, timeout=2)
    finally:
        for srv in nodes:
            await srv.stop()
            srv.bus.close()
        web_bus.close()


async def test_reconnect_to_another_node_moves_the_route(db, settings, redis_url):
    seed_demo(db)
    a = ocpp_node(settings.with_(node_id="mv-a"), db=db, bus=RedisBus(redis_url, node_id="mv-a"))
    b = ocpp_node(settings.with_(node_id="mv-b"), db=db, bus=RedisBus(redis_url, node_id="mv-b"))
    await a.start()
    await b.start()
    web_bus = RedisBus(redis_url, node_id="web2")
    try:
        async with connect(a, "CP-LYON-003"), connect(b, "CP-LYON-003"):
            await asyncio.sleep(0.1)
            assert web_bus.redis.get("ocpp:route:CP-LYON-003") == "mv-b"
            answer = await web_bus.call("CP-LYON-003", "Reset", {"type": "Hard"}, timeout=5)
            assert answer == {"status": "Accepted"}
    finally:
        for srv in (a, b):
            await srv.stop()
            srv.bus.close()
        web_bus.close()
