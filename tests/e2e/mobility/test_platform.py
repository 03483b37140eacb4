"""`mobility run` in one process: serves a web page and accepts an OCPP 1.6 websocket."""

import asyncio
import threading
import urllib.request

import websockets
from ocpp.v16 import ChargePoint, call

from mobility.app import Platform
from mobility.demo import CHARGER_PASSWORD, seed_demo
from tests.e2e.ocpp_server.conftest import basic


def test_platform_serves_web_and_ocpp_then_stops(db, settings):
    seed_demo(db)
    platform = Platform(settings, scheduler=True)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run():
        loop.run_until_complete(platform.run(stop))

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert platform.ready.wait(10)
        with urllib.request.urlopen(f"http://127.0.0.1:{platform.web_port}/") as resp:
            body = resp.read().decode()
        assert resp.status == 200 and "Place Nautique" in body

        async def boot():
            url = f"ws://127.0.0.1:{platform.ocpp_port}/ocpp/CP-LYON-001"
            headers = basic("CP-LYON-001", CHARGER_PASSWORD)
            async with websockets.connect(
                url, subprotocols=["ocpp1.6"], additional_headers=headers
            ) as ws:
                assert ws.subprotocol == "ocpp1.6"
                cp = ChargePoint("CP-LYON-001", ws)
                task = asyncio.create_task(cp.start())
                result = await cp.call(
                    call.BootNotification(charge_point_vendor="Acme", charge_point_model="X")
                )
                task.cancel()
                return result

        result = asyncio.run(boot())
        assert result.status == "Accepted"
        assert result.interval > 0
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(15)
    assert not thread.is_alive()
