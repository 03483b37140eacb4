"""A simulated OCPP 2.0.1 charging station (the ocpp library's v201 ChargePoint) and its link."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call_result
from ocpp.v201.enums import Action

from mobility.demo import CHARGER_PASSWORD
from ocpp_server.server import OcppServer
from tests.e2e.ocpp_server.conftest import basic

ACCEPTED = {"status": "Accepted"}


class Station(ChargePoint):
    """A well-behaved simulated station that accepts every command."""

    silent = False
    received: list[tuple[str, dict[str, Any]]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.received = []
        self.monitor_ids = 0  # ids this station gave its custom monitors

    async def _answer(self, action: str, kw: dict[str, Any], result: Any) -> Any:
        self.received.append((action, kw))
        if self.silent:
            await asyncio.sleep(3600)
        return result

    @on(Action.request_start_transaction)
    async def on_start(self, **kw: Any) -> Any:
        answer = call_result.RequestStartTransaction(status="Accepted", transaction_id="tx-r1")
        return await self._answer("RequestStartTransaction", kw, answer)

    @on(Action.request_stop_transaction)
    async def on_stop(self, **kw: Any) -> Any:
        return await self._answer(
            "RequestStopTransaction", kw, call_result.RequestStopTransaction(**ACCEPTED)
        )

    @on(Action.get_transaction_status)
    async def on_tx_status(self, **kw: Any) -> Any:
        answer = call_result.GetTransactionStatus(messages_in_queue=False, ongoing_indicator=True)
        return await self._answer("GetTransactionStatus", kw, answer)

    @on(Action.reset)
    async def on_reset(self, **kw: Any) -> Any:
        return await self._answer("Reset", kw, call_result.Reset(**ACCEPTED))

    @on(Action.change_availability)
    async def on_availability(self, **kw: Any) -> Any:
        return await self._answer(
            "ChangeAvailability", kw, call_result.ChangeAvailability(**ACCEPTED)
        )

    @on(Action.unlock_connector)
    async def on_unlock(self, **kw: Any) -> Any:
        return await self._answer("UnlockConnector", kw, call_result.UnlockConnector("Unlocked"))

    @on(Action.trigger_message)
    async def on_trigger(self, **kw: Any) -> Any:
        return await self._answer("TriggerMessage", kw, call_result.TriggerMessage(**ACCEPTED))

    @on(Action.get_variables)
    async def on_get_variables(self, get_variable_data: list[dict[str, Any]], **kw: Any) -> Any:
        results = [
            {
                "attribute_status": "Accepted",
                "attribute_value": "300",
                "component": d["component"],
                "variable": d["variable"],
            }
            for d in get_variable_data
        ]
        answer = call_result.GetVariables(get_variable_result=results)
        return await self._answer("GetVariables", kw, answer)

    @on(Action.set_variables)
    async def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kw: Any) -> Any:
        results = [
            {"attribute_status": "Accepted", "component": d["component"], "variable": d["variable"]}
            for d in set_variable_data
        ]
        answer = call_result.SetVariables(set_variable_result=results)
        return await self._answer("SetVariables", kw, answer)

    @on(Action.get_base_report)
    async def on_base_report(self, **kw: Any) -> Any:
        return await self._answer("GetBaseReport", kw, call_result.GetBaseReport(**ACCEPTED))

    @on(Action.get_report)
    async def on_report(self, **kw: Any) -> Any:
        return await self._answer("GetReport", kw, call_result.GetReport(**ACCEPTED))

    @on(Action.clear_cache)
    async def on_clear_cache(self, **kw: Any) -> Any:
        return await self._answer("ClearCache", kw, call_result.ClearCache(**ACCEPTED))

    @on(Action.send_local_list)
    async def on_send_local_list(self, **kw: Any) -> Any:
        return await self._answer("SendLocalList", kw, call_result.SendLocalList(**ACCEPTED))

    @on(Action.get_local_list_version)
    async def on_local_list_version(self, **kw: Any) -> Any:
        answer = call_result.GetLocalListVersion(version_number=7)
        return await self._answer("GetLocalListVersion", kw, answer)

    @on(Action.reserve_now)
    async def on_reserve(self, **kw: Any) -> Any:
        return await self._answer("ReserveNow", kw, call_result.ReserveNow(**ACCEPTED))

    @on(Action.cancel_reservation)
    async def on_cancel_reservation(self, **kw: Any) -> Any:
        return await self._answer(
            "CancelReservation", kw, call_result.CancelReservation(**ACCEPTED)
        )

    @on(Action.set_charging_profile)
    async def on_set_profile(self, **kw: Any) -> Any:
        return await self._answer(
            "SetChargingProfile", kw, call_result.SetChargingProfile(**ACCEPTED)
        )

    @on(Action.get_charging_profiles)
    async def on_get_profiles(self, **kw: Any) -> Any:
        return await self._answer(
            "GetChargingProfiles", kw, call_result.GetChargingProfiles(**ACCEPTED)
        )

    @on(Action.get_display_messages)
    async def on_get_messages(self, **kw: Any) -> Any:
        return await self._answer(
            "GetDisplayMessages", kw, call_result.GetDisplayMessages(**ACCEPTED)
        )

    @on(Action.clear_display_message)
    async def on_clear_message(self, **kw: Any) -> Any:
        return await self._answer(
            "ClearDisplayMessage", kw, call_result.ClearDisplayMessage(**ACCEPTED)
        )

    @on(Action.clear_charging_profile)
    async def on_clear_profile(self, **kw: Any) -> Any:
        return await self._answer(
            "ClearChargingProfile", kw, call_result.ClearChargingProfile(**ACCEPTED)
        )

    @on(Action.get_composite_schedule)
    async def on_composite(self, **kw: Any) -> Any:
        return await self._answer(
            "GetCompositeSchedule", kw, call_result.GetCompositeSchedule(status="Rejected")
        )

    @on(Action.update_firmware)
    async def on_update_firmware(self, **kw: Any) -> Any:
        return await self._answer("UpdateFirmware", kw, call_result.UpdateFirmware(**ACCEPTED))

    @on(Action.get_log)
    async def on_get_log(self, **kw: Any) -> Any:
        answer = call_result.GetLog(status="Accepted", filename="station.log")
        return await self._answer("GetLog", kw, answer)

    @on(Action.data_transfer)
    async def on_data_transfer(self, **kw: Any) -> Any:
        answer = call_result.DataTransfer(status="Accepted", data={"answer": 42})
        return await self._answer("DataTransfer", kw, answer)

    @on(Action.set_display_message)
    async def on_display(self, **kw: Any) -> Any:
        return await self._answer(
            "SetDisplayMessage", kw, call_result.SetDisplayMessage(**ACCEPTED)
        )

    @on(Action.cost_updated)
    async def on_cost_updated(self, **kw: Any) -> Any:
        return await self._answer("CostUpdated", kw, call_result.CostUpdated())

    @on(Action.set_variable_monitoring)
    async def on_set_monitoring(self, set_monitoring_data: list[dict[str, Any]], **kw: Any) -> Any:
        results = []
        for d in set_monitoring_data:
            self.monitor_ids += 1
            results.append(
                {
                    "id": d.get("id") or self.monitor_ids,
                    "status": "Accepted",
                    "type": d["type"],
                    "severity": d["severity"],
                    "component": d["component"],
                    "variable": d["variable"],
                }
            )
        answer = call_result.SetVariableMonitoring(set_monitoring_result=results)
        return await self._answer("SetVariableMonitoring", kw, answer)

    @on(Action.clear_variable_monitoring)
    async def on_clear_monitoring(self, id: list[int], **kw: Any) -> Any:
        results = [{"id": i, "status": "Accepted" if i < 100 else "NotFound"} for i in id]
        answer = call_result.ClearVariableMonitoring(clear_monitoring_result=results)
        return await self._answer("ClearVariableMonitoring", kw, answer)

    @on(Action.set_monitoring_base)
    async def on_monitoring_base(self, **kw: Any) -> Any:
        answer = call_result.SetMonitoringBase(**ACCEPTED)
        return await self._answer("SetMonitoringBase", kw, answer)

    @on(Action.set_monitoring_level)
    async def on_monitoring_level(self, **kw: Any) -> Any:
        answer = call_result.SetMonitoringLevel(**ACCEPTED)
        return await self._answer("SetMonitoringLevel", kw, answer)

    @on(Action.get_monitoring_report)
    async def on_monitoring_report(self, **kw: Any) -> Any:
        answer = call_result.GetMonitoringReport(**ACCEPTED)
        return await self._answer("GetMonitoringReport", kw, answer)

    @on(Action.customer_information)
    async def on_customer_information(self, **kw: Any) -> Any:
        answer = call_result.CustomerInformation(**ACCEPTED)
        return await self._answer("CustomerInformation", kw, answer)


@contextlib.asynccontextmanager
async def connect201(
    srv: OcppServer,
    cp_id: str = "CP-LYON-001",
    subprotocols: tuple[str, ...] = ("ocpp2.0.1",),
    station_class: type[Station] = Station,
) -> AsyncIterator[Any]:
    """A station connected to the node (negotiating among `subprotocols`), served until exit."""
    url = f"ws://127.0.0.1:{srv.port}/ocpp/{cp_id}"
    async with websockets.connect(
        url,
        subprotocols=list(subprotocols),  # type: ignore[arg-type]
        additional_headers=basic(cp_id, CHARGER_PASSWORD),
    ) as ws:
        station = station_class(cp_id, ws, response_timeout=10)
        task = asyncio.create_task(station.start())
        try:
            yield station
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task
