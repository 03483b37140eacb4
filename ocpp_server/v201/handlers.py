"""OCPP 2.0.1 station session: thin handlers translating to the neutral core, off the loop."""

from __future__ import annotations

import json
import logging
from types import ModuleType
from typing import Any, ClassVar

import websockets
from ocpp.routing import on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from mobility.clock import utcnow
from ocpp_server import commands, framing
from ocpp_server import device_model as ocpp_device_model
from ocpp_server.events import BootReport, CommandEffect
from ocpp_server.node import Node
from ocpp_server.session import CommandSession
from ocpp_server.v201 import device_model, remote, schedules, security, translate
from ocpp_server.v201.commands import COMMANDS, effects
from ocpp_server.v201.security import SecurityHandlers201

log = logging.getLogger(__name__)
_ACTIONS = frozenset(a.value for a in Action)


def _frame_problem(parsed: Any) -> tuple[str, str] | None:
    """The 2.0.1 RPC error code and reason for a frame that is no routable message, else None."""
    if not isinstance(parsed, list) or len(parsed) < 3 or not isinstance(parsed[1], str):
        return "RpcFrameworkError", "Frame is not an OCPP-J message"
    if parsed[0] not in (2, 3, 4):
        return "MessageTypeNotSupported", f"Message type {parsed[0]!r} is not supported"
    if parsed[0] == 2 and (len(parsed) != 4 or not isinstance(parsed[2], str)):
        return "RpcFrameworkError", "A Call has four elements: 2, id, action, payload"
    if parsed[0] == 2 and not isinstance(parsed[3], dict):
        return "FormatViolation", "The payload of a Call is a JSON object"
    return None


class ChargePoint201(SecurityHandlers201, CommandSession, ChargePoint):
    """The CSMS side of one charging station's OCPP 2.0.1 connection."""

    CALLS = call
    CATALOGUE = COMMANDS
    SCHEDULES: ClassVar[ModuleType] = schedules
    REMOTE: ClassVar[ModuleType] = remote

    def __init__(self, charger_id: str, connection: Any, node: Node) -> None:
        super().__init__(charger_id, connection, response_timeout=node.settings.command_timeout)
        self._attach(node)

    def effects_of(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any]
    ) -> list[CommandEffect]:
        """What an answered command changes in our records."""
        return effects(action, payload, answer) + security.effects(action, payload, answer)

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Route a frame; malformed ones get a CallError instead of being dropped silently."""
        self.node.seen(self.id)
        try:
            parsed = json.loads(raw_msg)
        except (ValueError, TypeError):
            parsed = None
        problem = _frame_problem(parsed)
        if problem is not None:
            await self._send(framing.frame_error(raw_msg, *problem))
            return
        if parsed[0] == 2:
            if parsed[2] not in self.route_map:
                # NotImplemented = action unknown to 2.0.1; NotSupported = known, not handled here.
                code = "NotSupported" if parsed[2] in _ACTIONS else "NotImplemented"
                await self._send(framing.frame_error(raw_msg, code, f"{parsed[2]} is not handled"))
                return
            # Vendor fields the strict 2.0.1 schemas forbid are dropped, the rest kept.
            raw_msg = framing.pruned_call(
                parsed[1], parsed[2], parsed[3], translate.PROTOCOL_VERSION
            )
        try:
            await super().route_message(raw_msg)
        except websockets.ConnectionClosed:
            raise  # the socket is gone (the charger left, the node stops): nothing to answer
        except Exception as exc:  # one bad message must never end the station's session
            log.exception("%s: failed to route message", self.id)
            await self._send(framing.frame_error(raw_msg, "InternalError", str(exc)[:200]))

    async def _store(self, action: str, payload: dict[str, Any]) -> None:
        await self._db(self.charging.record_event, self.id, action, payload)

    # -- provisioning ---------------------------------------------------------------------
    @on(Action.boot_notification)
    async def on_boot(self, **payload: Any) -> Any:
        answer = self.node.boot_answer(self.id) or await self._db(
            self.charging.boot_answer, self.id
        )
        # Station details are stored with the next batch: the answer needs none of them.
        self._queue(BootReport(translate.station_info(payload), payload, utcnow()))
        return call_result.BootNotification(
            current_time=_now(), interval=answer.interval, status=answer.status
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> Any:
        # Liveness is recorded in batches by the node (every message counts as a sign of life).
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status(self, **payload: Any) -> Any:
        self._queue(translate.status_report(payload))
        return call_result.StatusNotification()

    @on(Action.notify_event)
    async def on_notify_event(self, **payload: Any) -> Any:
        await self._store("NotifyEvent", payload)
        return call_result.NotifyEvent()

    @on(Action.notify_report)
    async def on_notify_report(self, **payload: Any) -> Any:
        values = device_model.report_values(payload)
        await self._db(ocpp_device_model.record_report, self.db, self.id, values)
        return call_result.NotifyReport()

    # -- authorization and transactions ---------------------------------------------------
    @on(Action.authorize)
    async def on_authorize(self, id_token: dict[str, Any], **_: Any) -> Any:
        auth = await self._db(self.charging.authorize, translate.id_token(id_token) or "")
        return call_result.Authorize(id_token_info=translate.id_token_info(auth))

    @on(Action.transaction_event)
    async def on_transaction_event(self, **payload: Any) -> Any:
        kind = translate.event_type(payload)
        if translate.worth_keeping(payload):  # trigger reason, offline flag, stop reason
            await self._store("TransactionEvent", payload)
        if kind == "Started":
            return await self._started(payload)
        if kind == "Ended":
            return await self._ended(payload)
        return await self._updated(payload)

    async def _started(self, payload: dict[str, Any]) -> Any:
        ev = translate.started(payload)
        answer = await self._db(self.charging.start_transaction, self.id, ev)
        if payload.get("meter_value"):  # the start readings, once the session exists
            self._queue(translate.update_report(payload))
        return _transaction_answer(answer.authorization if ev.id_token else None)

    async def _updated(self, payload: dict[str, Any]) -> Any:
        ev = translate.updated(payload)
        if ev.id_token is None:  # routine readings: written behind, in batches
            self._queue(translate.update_report(payload))
            return call_result.TransactionEvent()
        auth = await self._db(self.charging.update_transaction, self.id, ev)
        return _transaction_answer(auth)

    async def _ended(self, payload: dict[str, Any]) -> Any:
        ev = translate.ended(payload)
        # The session is priced from stored samples (idle time): none may still be queued.
        await self.node.flush_reports()
        auth = await self._db(self.charging.end_transaction, self.id, ev)
        return _transaction_answer(auth)

    @on(Action.meter_values)
    async def on_meter_values(self, **payload: Any) -> Any:
        self._queue(translate.meter_report(payload))
        return call_result.MeterValues()

    @on(Action.reservation_status_update)
    async def on_reservation_status(self, **payload: Any) -> Any:
        await self._store("ReservationStatusUpdate", payload)
        outcome = translate.reservation_update(payload)
        await self._db(commands.record_effects, self.db, self.id, [outcome])
        return call_result.ReservationStatusUpdate()

    # -- firmware, logs, vendor data (security: v201/security.py) -----------------------
    @on(Action.firmware_status_notification)
    async def on_firmware(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(self.charging.record_firmware_status, self.id, status, payload)
        return call_result.FirmwareStatusNotification()

    @on(Action.log_status_notification)
    async def on_log_status(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(
            self.charging.record_diagnostics_status,
            self.id,
            status,
            payload,
            "LogStatusNotification",
        )
        return call_result.LogStatusNotification()

    @on(Action.data_transfer)
    async def on_data_transfer(self, **payload: Any) -> Any:
        await self._store("DataTransfer", payload)
        # We know no vendor extensions: say so, as the spec asks, rather than pretending.
        return call_result.DataTransfer(status="UnknownVendorId")

    # -- smart charging reports (kept for the operator; no schedule is computed here) ------
    @on(Action.notify_ev_charging_needs)
    async def on_ev_charging_needs(self, **payload: Any) -> Any:
        needs = device_model.charging_needs(payload)
        planned = await self._db(ocpp_device_model.record_needs, self.db, self.id, needs)
        # Accepted: the hub's smart charging will send a profile; else none will follow.
        return call_result.NotifyEVChargingNeeds(status="Accepted" if planned else "Rejected")

    @on(Action.report_charging_profiles)
    async def on_report_profiles(self, **payload: Any) -> Any:
        await self._store("ReportChargingProfiles", payload)
        return call_result.ReportChargingProfiles()

    @on(Action.notify_display_messages)
    async def on_display_messages(self, **payload: Any) -> Any:
        await self._store("NotifyDisplayMessages", payload)
        return call_result.NotifyDisplayMessages()

    @on(Action.notify_charging_limit)
    async def on_charging_limit(self, **payload: Any) -> Any:
        await self._store("NotifyChargingLimit", payload)
        return call_result.NotifyChargingLimit()

    @on(Action.cleared_charging_limit)
    async def on_cleared_charging_limit(self, **payload: Any) -> Any:
        await self._store("ClearedChargingLimit", payload)
        return call_result.ClearedChargingLimit()


def _transaction_answer(auth: Any) -> Any:
    """A TransactionEvent answer, with idTokenInfo when a token was presented."""
    return call_result.TransactionEvent(
        id_token_info=translate.id_token_info(auth) if auth is not None else None
    )


def _now() -> str:
    """currentTime for stations: UTC with a Z."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
