"""The in-process command bus routes calls into the OCPP loop and reports failures clearly."""

import asyncio
import threading

import pytest

from mobility.bus import InProcessBus
from mobility.errors import ChargerUnavailable, CommandTimeout


class LoopThread:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def stop(self):
        # Let cancelled commands (timeouts) finish cancelling before the loop goes away.
        async def drain():
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(drain(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


@pytest.fixture
def loop_thread():
    lt = LoopThread()
    yield lt
    lt.stop()


async def _executor(charger_id, action, payload):
    if charger_id == "absent":
        raise ChargerUnavailable(f"Charger {charger_id} is not connected.")
    if action == "Slow":
        await asyncio.sleep(5)
    return {"charger": charger_id, "action": action, "echo": payload}


def test_call_sync_reaches_executor_on_its_loop(loop_thread):
    bus = InProcessBus()
    bus.attach(_executor, loop_thread.loop)
    answer = bus.call_sync("CP1", "Reset", {"type": "Soft"}, timeout=2)
    assert answer == {"charger": "CP1", "action": "Reset", "echo": {"type": "Soft"}}


def test_unattached_bus_says_no_server():
    with pytest.raises(ChargerUnavailable, match="No OCPP server"):
        InProcessBus().call_sync("CP1", "Reset", {}, timeout=1)


def test_disconnected_charger_error_propagates(loop_thread):
    bus = InProcessBus()
    bus.attach(_executor, loop_thread.loop)
    with pytest.raises(ChargerUnavailable, match="absent is not connected"):
        bus.call_sync("absent", "Reset", {}, timeout=1)


def test_timeout_is_a_domain_error(loop_thread):
    bus = InProcessBus()
    bus.attach(_executor, loop_thread.loop)
    with pytest.raises(CommandTimeout) as info:
        bus.call_sync("CP1", "Slow", {}, timeout=0.1)
    assert info.value.http_status == 504


async def test_async_call_on_same_loop():
    bus = InProcessBus()
    bus.attach(_executor, asyncio.get_running_loop())
    assert (await bus.call("CP9", "ClearCache", {}, timeout=1))["charger"] == "CP9"
    with pytest.raises(CommandTimeout):
        await bus.call("CP9", "Slow", {}, timeout=0.05)
