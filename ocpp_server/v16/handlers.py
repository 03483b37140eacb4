"""OCPP 1.6J charge point session: thin handlers translating to the neutral core, off the loop."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from typing import Any

from ocpp.charge_point import camel_to_snake_case, remove_nones, snake_to_camel_case
from ocpp.exceptions import InternalError, OCPPError
from ocpp.messages import MessageType, get_validator
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, RegistrationStatus

from mobility.clock import utcnow
from mobility.errors import ChargerRefused, CommandTimeout, DomainError, ValidationFailed
from mobility.models import CommandStatus
from ocpp_server import commands, rules
from ocpp_server.events import BootReport, CommandEffect, Report
from ocpp_server.node import Node
from ocpp_server.v16 import translate
from ocpp_server.v16.commands import COMMANDS, effects

log = logging.getLogger(__name__)


def _frame_error(raw: str | bytes, code: str, description: str) -> str:
    """A CallError for a frame we could not route, echoing its unique id when readable."""
    unique_id = "-1"
    try:
        parsed = json.loads(raw)
        if isinstance(parsed, list) and len(parsed) > 1 and isinstance(parsed[1], str):
            unique_id = parsed[1]
    except (ValueError, TypeError):
        pass
    return json.dumps([MessageType.CallError, unique_id, code, description, {}])


_PAYLOAD_ERRORS = (
    "FormatViolationError",
    "TypeConstraintViolationError",
    "PropertyConstraintViolationError",
    "ValidationError",
    "FormationViolationError",
    "OccurrenceConstraintViolationError",
)


def _request(action: str, payload: dict[str, Any]) -> Any:
    """The library's call object for a command, or a clear ValidationFailed."""
    if action not in COMMANDS:
        raise ValidationFailed(f"Unsupported command {action!r}.", code="unknown_command")
    fields = camel_to_snake_case(payload)
    cls = getattr(call, action)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(fields) - known)
    if unknown:
        names = ", ".join(snake_to_camel_case(n) for n in unknown)
        raise ValidationFailed(f"{action} has no field {names}.", field=unknown[0])
    missing = sorted(
        snake_to_camel_case(f.name)
        for f in dataclasses.fields(cls)
        if f.name not in fields
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    )
    if missing:
        raise ValidationFailed(f"{action} needs {', '.join(missing)}.", field=missing[0])
    return cls(**fields)


def _charger_error(cp_id: str, action: str, exc: OCPPError) -> DomainError:
    """A charger's CallError, as the operator should see it."""
    if type(exc).__name__ in _PAYLOAD_ERRORS:
        return ValidationFailed(f"Invalid {action} payload: {exc.description}")
    return ChargerRefused(
        f"Charger {cp_id} answered {action} with {exc.code}: {exc.description}",
        charger_code=exc.code,
    )


def _schema(action: str) -> dict[str, Any] | None:
    try:
        return dict(get_validator(MessageType.Call, action, "1.6").schema)
    except (OSError, ValueError):
        return None  # unknown action: the library answers NotImplemented


class ChargePoint16(ChargePoint):
    """The CSMS side of one charger's OCPP 1.6 connection."""

    def __init__(self, charger_id: str, connection: Any, node: Node) -> None:
        super().__init__(charger_id, connection, response_timeout=node.settings.command_timeout)
        self.node = node
        self.charging = node.charging
        self.db = node.charging.db

    async def _db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Route a frame; malformed ones get a CallError instead of being dropped silently."""
        self.node.seen(self.id)
        try:
            parsed = json.loads(raw_msg)
        except (ValueError, TypeError):
            await self._send(_frame_error(raw_msg, "FormationViolation", "Frame is not JSON"))
            return
        if (
            not isinstance(parsed, list)
            or len(parsed) < 3
            or parsed[0] not in (2, 3, 4)
            or not isinstance(parsed[1], str)
            or (parsed[0] == 2 and (len(parsed) != 4 or not isinstance(parsed[3], dict)))
        ):
            await self._send(
                _frame_error(raw_msg, "FormationViolation", "Frame is not an OCPP-J message")
            )
            return
        if parsed[0] == 2 and parsed[2] not in self.route_map:
            # OCPP-J: NotImplemented = action unknown; NotSupported = known but not for us.
            known = parsed[2] in {a.value for a in Action}
            code = "NotSupported" if known else "NotImplemented"
            await self._send(_frame_error(raw_msg, code, f"{parsed[2]} is not handled by the CSMS"))
            return
        if parsed[0] == 2 and isinstance(parsed[2], str):
            # Chargers send vendor fields the strict 1.6 schemas forbid: drop them, keep the rest.
            raw_msg = json.dumps(
                [2, parsed[1], parsed[2], rules.prune(parsed[3], _schema(parsed[2]))]
            )
        try:
            await super().route_message(raw_msg)
        except Exception as exc:  # one bad message must never end the charger's session
            log.exception("%s: failed to route message", self.id)
            await self._send(_frame_error(raw_msg, "InternalError", str(exc)[:200]))

    async def send_command(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CSMS-initiated call, persist it, and return the response payload (camelCase)."""
        request = _request(action, payload)
        command_id = await self._db(commands.command_started, self.db, self.id, action, payload)
        try:
            result = await self.call(request, suppress=False)
        except (TimeoutError, asyncio.CancelledError) as exc:
            # The bus's own deadline may cancel this wait first: record the timeout anyway.
            await asyncio.shield(self._finish(command_id, CommandStatus.TIMEOUT, error="no answer"))
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise CommandTimeout(f"Charger {self.id} did not answer {action} in time.") from None
        except OCPPError as exc:
            await self._finish(command_id, CommandStatus.ERROR, error=str(exc))
            raise _charger_error(self.id, action, exc) from None
        answer = dict(snake_to_camel_case(remove_nones(dataclasses.asdict(result))))
        await self._finish(
            command_id, CommandStatus.ANSWERED, answer, effects=effects(action, payload, answer)
        )
        return answer

    async def _finish(
        self,
        command_id: int,
        status: CommandStatus,
        answer: dict[str, Any] | None = None,
        error: str | None = None,
        effects: list[CommandEffect] | None = None,
    ) -> None:
        await self._db(
            commands.command_finished, self.db, command_id, status, answer, error, effects or []
        )

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

    def _queue(self, report: Report) -> None:
        if not self.node.report(self.id, report):
            # Storage is away and the queue is full: never acknowledge what we cannot keep.
            raise InternalError(description="Reports cannot be stored right now; send again later")

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
