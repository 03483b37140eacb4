"""A real OCPP 1.6 charger that charges when started remotely, beside the web app on one bus."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from mobility.app import ocpp_node
from tests.e2e.ocpp_server.conftest import Charger, connect

ENERGY = "Energy.Active.Import.Register"
POWER_W = 7400


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DrivingCharger(Charger):
    """Accepts RemoteStartTransaction, then StartTransaction and MeterValues every `period`
    seconds (60 Wh each) until RemoteStopTransaction, which ends with StopTransaction."""

    period = 0.3
    accept = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register_wh = 1000
        self.transaction_id: int | None = None
        self.remote_starts: list[dict[str, Any]] = []
        self.remote_stops: list[dict[str, Any]] = []
        self._charging: asyncio.Task[None] | None = None

    async def status(self, connector: int, status: str) -> None:
        """Report a connector's status."""
        await self.call(
            call.StatusNotification(connector_id=connector, error_code="NoError", status=status)
        )

    @on(Action.remote_start_transaction)
    async def on_remote_start(self, id_tag: str, connector_id: int = 1, **kw: Any) -> Any:
        self.remote_starts.append({"id_tag": id_tag, "connector_id": connector_id})
        return call_result.RemoteStartTransaction(status="Accepted" if self.accept else "Rejected")

    @after(Action.remote_start_transaction)
    async def begin(self, id_tag: str, connector_id: int = 1, **kw: Any) -> None:
        if self.accept:
            self._charging = asyncio.create_task(self._charge(connector_id, id_tag))

    async def _charge(self, connector: int, id_tag: str) -> None:
        await self.status(connector, "Preparing")
        started = await self.call(
            call.StartTransaction(
                connector_id=connector,
                id_tag=id_tag,
                meter_start=self.register_wh,
                timestamp=_now(),
            )
        )
        self.transaction_id = started.transaction_id
        await self.status(connector, "Charging")
        while True:
            await asyncio.sleep(self.period)
            self.register_wh += 60
            sample = [
                {"value": str(self.register_wh), "measurand": ENERGY, "unit": "Wh"},
                {"value": str(POWER_W), "measurand": "Power.Active.Import", "unit": "W"},
            ]
            await self.call(
                call.MeterValues(
                    connector_id=connector,
                    transaction_id=self.transaction_id,
                    meter_value=[{"timestamp": _now(), "sampled_value": sample}],
                )
            )

    async def halt(self) -> None:
        """Stop metering (the test is over): no call is left waiting when the loop ends."""
        if self._charging is not None:
            self._charging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._charging

    @on(Action.remote_stop_transaction)
    async def on_remote_stop(self, transaction_id: int, **kw: Any) -> Any:
        self.remote_stops.append({"transaction_id": transaction_id})
        known = transaction_id == self.transaction_id
        return call_result.RemoteStopTransaction(status="Accepted" if known else "Rejected")

    @after(Action.remote_stop_transaction)
    async def end(self, transaction_id: int, **kw: Any) -> None:
        if transaction_id != self.transaction_id or self._charging is None:
            return
        self._charging.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._charging
        await self.call(
            call.StopTransaction(
                meter_stop=self.register_wh,
                timestamp=_now(),
                transaction_id=transaction_id,
                reason="Remote",
            )
        )
        await self.status(1, "Finishing")


class LiveCharger:
    """An OCPP node in its own event loop thread with CP-LYON-001 connected, booted and free."""

    def __init__(self, settings: Any, db: Any, bus: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.server = ocpp_node(settings, db=db, bus=bus)
        self.ready = threading.Event()
        self.stop: asyncio.Event | None = None
        self.cp: DrivingCharger | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.main(),))

    async def main(self) -> None:
        self.stop = asyncio.Event()
        await self.server.start()
        async with connect(self.server, "CP-LYON-001", cls=DrivingCharger) as cp:
            await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            for connector in (1, 2):
                await cp.status(connector, "Available")
            await self.flush()
            self.cp = cp
            self.ready.set()
            await self.stop.wait()
            await cp.halt()
        await self.server.stop()

    async def flush(self) -> None:
        """Store what the charger reported so far."""
        await self.server.presence.flush()
        await self.server.flush_reports()

    def run(self, coro: Any, timeout: float = 10) -> Any:
        """Run a coroutine on the charger's loop from the test's thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def __enter__(self) -> LiveCharger:
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self.stop is not None
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)
        self.loop.close()
