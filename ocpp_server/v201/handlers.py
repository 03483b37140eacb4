"""OCPP 2.0.1 station session: thin handlers translating to the neutral core, off the loop."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from types import ModuleType
from typing import Any, ClassVar

import websockets
from ocpp import exceptions as ocpp_errors
from ocpp.routing import after, on
from ocpp.v201 import ChargePoint, call, call_result
from ocpp.v201.enums import Action

from mobility.clock import utcnow
from mobility.errors import DomainError
from ocpp_server import commands, framing, logs
from ocpp_server.events import BootAnswer, BootReport, CommandEffect, TransactionClosed
from ocpp_server.logs import SessionLog
from ocpp_server.node import Node
from ocpp_server.session import CommandSession
from ocpp_server.v201 import local_list, remote, schedules, security, translate
from ocpp_server.v201.commands import COMMANDS, effects
from ocpp_server.v201.device import DeviceHandlers201
from ocpp_server.v201.security import SecurityHandlers201
from ocpp_server.v201.smart_charging import SmartChargingHandlers201

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


class ChargePoint201(
    SecurityHandlers201,
    DeviceHandlers201,
    SmartChargingHandlers201,
    CommandSession,
    ChargePoint,
):
    """The CSMS side of one charging station's OCPP 2.0.1 connection."""

    CALLS = call
    PROTOCOL = translate.PROTOCOL_VERSION
    CATALOGUE = COMMANDS
    SCHEDULES: ClassVar[ModuleType] = schedules
    REMOTE: ClassVar[ModuleType] = remote
    LOCAL_LISTS: ClassVar[ModuleType] = local_list

    def __init__(self, charger_id: str, connection: Any, node: Node) -> None:
        self._init_library(
            charger_id, connection, node.settings.command_timeout, SessionLog(charger_id)
        )
        self._attach(node)
        self._booted: BootAnswer | None = None  # what the last boot was answered

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
            await self._refuse(raw_msg, *problem)
            return
        if parsed[0] != 2:
            await super().route_message(raw_msg)  # the answer to one of our commands
            return
        action = parsed[2]
        handlers = self.route_map.get(action)
        if handlers is None or "_on_action" not in handlers:
            # NotImplemented = action unknown to 2.0.1; NotSupported = known, not handled here.
            known = action in _ACTIONS
            error = ocpp_errors.NotSupportedError if known else ocpp_errors.NotImplementedError
            logs.bad_input(self.id, action, error.code, f"{action} is not handled")
            await self._send(framing.error_frame(parsed[1], error(f"{action} is not handled")))
            return
        await self._serve_call(parsed[1], action, parsed[3], self.PROTOCOL)

    # -- provisioning ---------------------------------------------------------------------
    @on(Action.boot_notification)
    async def on_boot(self, **payload: Any) -> Any:
        answer = self.node.boot_answer(self.id) or await self._db(
            self.charging.boot_answer, self.id
        )
        # Station details are stored with the next batch: the answer needs none of them.
        self._queue(BootReport(translate.station_info(payload), payload, utcnow()))
        self._booted = answer
        return call_result.BootNotification(
            current_time=_now(), interval=answer.interval, status=answer.status
        )

    @after(Action.boot_notification)
    def after_boot(self, **_: Any) -> None:
        """Once an accepted boot is answered: our local list, if the station never took it."""
        if self._booted is not None and self._booted.status == "Accepted":
            self._spawn(self._after_boot(self._booted))

    async def _after_boot(self, boot: BootAnswer) -> None:
        # Spread over a while: after a restart every station boots at once. Stations keep
        # their list through reboots: changes go out with the sync job, lost lists are found
        # by the version audit job (as for 1.6).
        await asyncio.sleep(random.uniform(0, self.node.settings.ocpp_after_boot_delay))
        try:
            if boot.wants_list:
                await self.sync_local_list(ask_version=True)
        except DomainError as exc:  # refused, no list, timed out: the job tries again later
            log.info("%s: local list not sent after boot: %s", self.id, exc.message)
        except websockets.ConnectionClosed:
            pass  # gone meanwhile: it boots again when it comes back

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> Any:
        # Liveness is recorded in batches by the node (every message counts as a sign of life).
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status(self, **payload: Any) -> Any:
        self._queue(translate.status_report(payload))
        return call_result.StatusNotification()

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
        if not payload.get("id_token"):  # routine readings: written behind, in batches
            self._queue(translate.update_report(payload))
            return call_result.TransactionEvent()
        ev = translate.updated(payload)
        auth = await self._db(self.charging.update_transaction, self.id, ev)
        return _transaction_answer(auth)

    async def _ended(self, payload: dict[str, Any]) -> Any:
        ev = translate.ended(payload)
        # The session is priced from stored samples (idle time): none may still be queued.
        await self.node.flush_reports()
        closed: TransactionClosed = await self._db(self.charging.close_transaction, self.id, ev)
        # totalCost: the final price as invoiced (I03); left out while it is not known.
        total = None if closed.total_cost is None else float(closed.total_cost)
        return _transaction_answer(closed.authorization, total)

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

    @on(Action.notify_display_messages)
    async def on_display_messages(self, **payload: Any) -> Any:
        await self._store("NotifyDisplayMessages", payload)  # the answer to GetDisplayMessages
        return call_result.NotifyDisplayMessages()


def _transaction_answer(auth: Any, total_cost: float | None = None) -> Any:
    """A TransactionEvent answer, with idTokenInfo when a token was presented."""
    return call_result.TransactionEvent(
        total_cost=total_cost,
        id_token_info=translate.id_token_info(auth) if auth is not None else None,
    )


def _now() -> str:
    """currentTime for stations: UTC with a Z."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
