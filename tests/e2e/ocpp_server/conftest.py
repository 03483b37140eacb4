"""A real OCPP server on localhost and real charger clients (the ocpp library's ChargePoint)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action

from mobility.app import ocpp_node
from mobility.bus import InProcessBus
from mobility.demo import CHARGER_PASSWORD, seed_demo
from ocpp_server.server import OcppServer


class Charger(ChargePoint):
    """A well-behaved simulated charger that accepts every command."""

    silent = False

    async def _answer(self, result: Any) -> Any:
        if self.silent:
            await asyncio.sleep(3600)
        return result

    @on(Action.reset)
    async def on_reset(self, **kw: Any) -> Any:
        return await self._answer(call_result.Reset(status="Accepted"))

    @on(Action.remote_start_transaction)
    async def on_remote_start(self, **kw: Any) -> Any:
        return await self._answer(call_result.RemoteStartTransaction(status="Accepted"))

    @on(Action.remote_stop_transaction)
    async def on_remote_stop(self, **kw: Any) -> Any:
        return call_result.RemoteStopTransaction(status="Accepted")

    @on(Action.change_availability)
    async def on_change_availability(self, **kw: Any) -> Any:
        return call_result.ChangeAvailability(status="Accepted")

    @on(Action.unlock_connector)
    async def on_unlock(self, **kw: Any) -> Any:
        return call_result.UnlockConnector(status="Unlocked")

    @on(Action.get_configuration)
    async def on_get_configuration(self, **kw: Any) -> Any:
        return call_result.GetConfiguration(
            configuration_key=[{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
        )

    @on(Action.change_configuration)
    async def on_change_configuration(self, **kw: Any) -> Any:
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.clear_cache)
    async def on_clear_cache(self, **kw: Any) -> Any:
        return call_result.ClearCache(status="Accepted")

    @on(Action.trigger_message)
    async def on_trigger(self, **kw: Any) -> Any:
        return call_result.TriggerMessage(status="Accepted")

    @on(Action.reserve_now)
    async def on_reserve(self, **kw: Any) -> Any:
        return call_result.ReserveNow(status="Accepted")

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, **kw: Any) -> Any:
        return call_result.CancelReservation(status="Accepted")

    @on(Action.set_charging_profile)
    async def on_set_profile(self, **kw: Any) -> Any:
        return call_result.SetChargingProfile(status="Accepted")

    @on(Action.clear_charging_profile)
    async def on_clear_profile(self, **kw: Any) -> Any:
        return call_result.ClearChargingProfile(status="Accepted")

    @on(Action.get_composite_schedule)
    async def on_composite(self, **kw: Any) -> Any:
        return call_result.GetCompositeSchedule(status="Accepted", connector_id=1)

    @on(Action.send_local_list)
    async def on_send_local_list(self, **kw: Any) -> Any:
        return call_result.SendLocalList(status="Accepted")

    @on(Action.get_local_list_version)
    async def on_local_list_version(self, **kw: Any) -> Any:
        return call_result.GetLocalListVersion(list_version=7)

    @on(Action.update_firmware)
    async def on_update_firmware(self, **kw: Any) -> Any:
        return call_result.UpdateFirmware()

    @on(Action.get_diagnostics)
    async def on_get_diagnostics(self, **kw: Any) -> Any:
        return call_result.GetDiagnostics(file_name="diag.zip")


def basic(cp_id: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{cp_id}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
async def server(db, settings) -> AsyncIterator[OcppServer]:
    seed_demo(db)
    srv = ocpp_node(settings, db=db, bus=InProcessBus())
    await srv.start()
    yield srv
    await srv.stop()


@contextlib.asynccontextmanager
async def connect(
    srv: OcppServer,
    cp_id: str = "CP-LYON-001",
    password: str | None = CHARGER_PASSWORD,
    scheme: str = "ws",
    cls: type[Charger] = Charger,
    charger_class: type[Charger] | None = None,
    **kwargs: Any,
) -> AsyncIterator[Any]:
    headers = basic(cp_id, password) if password is not None else {}
    url = f"{scheme}://127.0.0.1:{srv.port}/ocpp/{cp_id}"
    async with websockets.connect(
        url, subprotocols=["ocpp1.6"], additional_headers=headers, **kwargs
    ) as ws:
        cp = (charger_class or cls)(cp_id, ws, response_timeout=10)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task
