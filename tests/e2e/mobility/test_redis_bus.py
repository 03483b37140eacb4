"""Redis bus: two OCPP nodes; a command reaches the node holding the charger's socket."""

import asyncio
import contextlib
import socket
import subprocess
import threading
import time

import pytest
from ocpp.v16 import call

from mobility.app import ocpp_node
from mobility.demo import seed_demo
from mobility.errors import ChargerUnavailable, ServiceUnavailable, ValidationFailed
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


async def test_a_node_never_takes_back_a_route_another_node_holds(db, settings, redis_url):
    seed_demo(db)
    bus_a = RedisBus(redis_url, node_id="keep-a")
    try:
        bus_a._local.add("CP-LYON-002")  # a stale socket node A still thinks it holds
        bus_a.redis.set("ocpp:route:CP-LYON-002", "keep-b", ex=60)
        bus_a._keep_routes()
        assert bus_a.redis.get("ocpp:route:CP-LYON-002") == "keep-b"
        bus_a.redis.delete("ocpp:route:CP-LYON-002")  # gone (an empty Redis): A restores it
        bus_a._keep_routes()
        assert bus_a.redis.get("ocpp:route:CP-LYON-002") == "keep-a"
    finally:
        bus_a.redis.delete("ocpp:route:CP-LYON-002")
        bus_a.close()


async def test_routes_come_back_at_once_after_redis_restarts_empty(db, settings, tmp_path):
    from tests.support.stripe_server import free_port

    seed_demo(db)
    port = free_port()
    args = ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"]

    def start() -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(args, cwd=tmp_path, stdout=subprocess.DEVNULL)
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                return proc
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    redis_proc = start()
    url = f"redis://127.0.0.1:{port}/0"
    node = ocpp_node(settings.with_(node_id="rs-a"), db=db, bus=RedisBus(url, node_id="rs-a"))
    await node.start()
    try:
        async with connect(node, "CP-LYON-001"):
            await asyncio.sleep(0.3)
            redis_proc.terminate()
            redis_proc.wait(10)
            redis_proc = start()  # a new, empty Redis
            probe = RedisBus(url, node_id="probe")
            for _ in range(40):  # well under the 30 s refresh period
                if probe.redis.get("ocpp:route:CP-LYON-001") == "rs-a":
                    break
                await asyncio.sleep(0.25)
            assert probe.redis.get("ocpp:route:CP-LYON-001") == "rs-a"
            answer = await probe.call("CP-LYON-001", "Reset", {"type": "Soft"}, timeout=5)
            assert answer == {"status": "Accepted"}
            probe.close()
    finally:
        await node.stop()
        node.bus.close()
        redis_proc.terminate()
        redis_proc.wait(10)


def test_a_server_that_is_not_redis_gets_a_clear_503_not_a_crash():
    # A wrong REDIS_URL (here a port where something else answers) is an unavailable bus.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def answer_http() -> None:
            conn, _ = listener.accept()
            with conn:
                conn.recv(1024)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        threading.Thread(target=answer_http, daemon=True).start()
        bus = RedisBus(f"redis://127.0.0.1:{port}/0", node_id="web-wrong")
        try:
            with pytest.raises(ServiceUnavailable, match="command bus"):
                bus.call_sync("CP-LYON-001", "Reset", {"type": "Soft"}, timeout=2)
        finally:
            bus.close()
