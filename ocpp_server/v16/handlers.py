"""OCPP 1.6J charge point session: thin handlers translating to the neutral core, off the loop."""

from __future__ import annotations

import json
import logging
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, RegistrationStatus

from mobility.clock import utcnow
from ocpp_server import framing
from ocpp_server.events import BootReport, CommandEffect
from ocpp_server.node import Node
from ocpp_server.session import CommandSession
from ocpp_server.v16 import translate
from ocpp_server.v16.commands import COMMANDS, effects

log = logging.getLogger(__name__)


class ChargePoint16(CommandSession, ChargePoint):
    """The CSMS side of one charger's OCPP 1.6 connection."""

    CALLS = call
    CATALOGUE = COMMANDS

    def __init__(self, charger_id: str, connection: Any, node: Node) -> None:
        super().__init__(charger_id, connection, response_timeout=node.settings.command_timeout)
        self._attach(node)

    def effects_of(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any]
    ) -> list[CommandEffect]:
        """What an answered command changes in our records."""
        return effects(action, payload, answer)

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Route a frame; malformed ones get a CallError instead of being dropped silently."""
        self.node.seen(self.id)
        try:
            parsed = json.loads(raw_msg)
        except (ValueError, TypeError):
            await self._send(
                framing.frame_error(raw_msg, "FormationViolation", "Frame is not JSON")
            )
            return
        if (
            not isinstance(parsed, list)
            or len(parsed) < 3
            or parsed[0] not in (2, 3, 4)
            or not isinstance(parsed[1], str)
            or (parsed[0] == 2 and (len(parsed) != 4 or not isinstance(parsed[3], dict)))
        ):
            await self._send(
                framing.frame_error(raw_msg, "FormationViolation", "Frame is not an OCPP-J message")
            )
            return
        if parsed[0] == 2 and parsed[2] not in self.route_map:
            # OCPP-J: NotImplemented = action unknown; NotSupported = known but not for us.
            known = parsed[2] in {a.value for a in Action}
            code = "NotSupported" if known else "NotImplemented"
            await self._send(
                framing.frame_error(raw_msg, code, f"{parsed[2]} is not handled by the CSMS")
            )
            return
        if parsed[0] == 2 and isinstance(parsed[2], str):
            # Chargers send vendor fields the strict 1.6 schemas forbid: drop them, keep the rest.
            raw_msg = framing.pruned_call(
                parsed[1], parsed[2], parsed[3], translate.PROTOCOL_VERSION
            )
        try:
            await super().route_message(raw_msg)
        except websockets.ConnectionClosed:
            raise  # the socket is gone (the charger left, the node stops): nothing to answer
        except Exception as exc:  # one bad message must never end the charger's session
            log.exception("%s: failed to route message", self.id)
            await self._send(framing.frame_error(raw_msg, "InternalError", str(exc)[:200]))

    @on(Action.boot_notification)
    async def on_boot(self, **payload: Any) -> Any:
        answer = self.node.boot_answer(self.id) or await self._db(
            self.charging.boot_answer, self.id
        )
        # Station details are stored with the next batch: the answer needs none of them.
        self._queue(BootReport(translate.station_info(payload), payload, utcnow()))
        return call_result.BootNotification(
            current_time=_now(), interval=answer.interval, status=RegistrationStatus(answer.status)
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self, **_: Any) -> Any:
        # Liveness is recorded in batches by the node (every message counts as a sign of life).
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    async def on_status(self, **payload: Any) -> Any:
        self._queue(translate.status_report(payload))
        return call_result.StatusNotification()

    @on(Action.authorize)
    async def on_authorize(self, id_tag: str, **_: Any) -> Any:
        auth = await self._db(self.charging.authorize, id_tag)
        return call_result.Authorize(id_tag_info=translate.id_tag_info(auth))

    @on(Action.start_transaction)
    async def on_start(self, **payload: Any) -> Any:
        answer = await self._db(
            self.charging.start_transaction, self.id, translate.started(payload)
        )
        return call_result.StartTransaction(
            transaction_id=int(answer.transaction_ref),
            id_tag_info=translate.id_tag_info(answer.authorization),
        )

    @on(Action.stop_transaction)
    async def on_stop(self, **payload: Any) -> Any:
        ended = translate.ended(payload)
        # The session is priced from stored samples (idle time): none may still be queued.
        await self.node.flush_reports()
        auth = await self._db(self.charging.end_transaction, self.id, ended)
        return call_result.StopTransaction(
            id_tag_info=translate.id_tag_info(auth) if auth is not None else None
        )

    @on(Action.meter_values)
    async def on_meter_values(self, **payload: Any) -> Any:
        self._queue(translate.meter_report(payload))
        return call_result.MeterValues()

    @on(Action.data_transfer)
    async def on_data_transfer(self, **payload: Any) -> Any:
        await self._db(self.charging.record_event, self.id, "DataTransfer", payload)
        # We know no vendor extensions: say so, as the spec asks, rather than pretending.
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.diagnostics_status_notification)
    async def on_diagnostics(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(self.charging.record_diagnostics_status, self.id, status, payload)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    async def on_firmware(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(self.charging.record_firmware_status, self.id, status, payload)
        return call_result.FirmwareStatusNotification()


def _now() -> str:
    """currentTime for chargers: UTC with a Z."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
