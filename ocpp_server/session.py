"""What every protocol adapter's charger session does the same way: commands and report queues.

Each adapter's ChargePoint mixes this in and names its protocol's call module, command
catalogue and command effects; the handlers stay protocol-specific.
"""

from __future__ import annotations

import asyncio
import dataclasses
import inspect
import json
import logging
from collections.abc import Coroutine
from types import ModuleType
from typing import Any, ClassVar

import websockets
from ocpp.charge_point import remove_nones, snake_to_camel_case
from ocpp.exceptions import InternalError, OCPPError

from mobility.charging_schedule import CLEAR_SCHEDULE, SET_SCHEDULE, PowerSchedule
from mobility.db import Database
from mobility.errors import CommandTimeout, ValidationFailed
from mobility.models import CommandStatus
from mobility.remote_charging import START_CHARGING, STOP_CHARGING, RemoteStart, RemoteStop
from ocpp_server import commands, framing, local_lists, logs, schemas
from ocpp_server.events import CommandEffect, LocalListVersion, ProfileOutcome, Report
from ocpp_server.lean import LeanChargePoint
from ocpp_server.node import Node
from ocpp_server.services import ChargingService

log = logging.getLogger(__name__)


class CommandSession(LeanChargePoint):
    """Commands to a charger (recorded before, outcome and effects after) and report queueing."""

    PROTOCOL: ClassVar[str]  # the OCPP version the adapter speaks ("1.6", "2.0.1")
    CALLS: ClassVar[ModuleType]  # the protocol's `ocpp.vXX.call` module
    CATALOGUE: ClassVar[tuple[str, ...]]
    SCHEDULES: ClassVar[ModuleType]  # the adapter's `schedules` module (neutral -> protocol)
    REMOTE: ClassVar[ModuleType]  # the adapter's `remote` module (neutral start/stop)
    LOCAL_LISTS: ClassVar[ModuleType]  # the adapter's module with `local_list_payload(update)`

    id: str
    node: Node
    charging: ChargingService
    db: Database
    call: Any  # the library ChargePoint's coroutine method
    _send: Any  # the library ChargePoint's frame sender
    _connection: Any  # the library ChargePoint's websocket

    def _attach(self, node: Node) -> None:
        self.node = node
        self.charging = node.charging
        self.db = node.charging.db
        self._draining = False
        self._idle = asyncio.Event()
        self._idle.set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Serve the charger's frames one at a time until its socket closes or the node drains;
        requests still planned for it (after its boot...) end with its socket."""
        try:
            while True:
                message = await self._connection.recv()
                if self._draining:
                    # Arrived while the node stops: left unanswered, the charger sends it again.
                    # The node closes the socket (1001) once the frame before it is answered.
                    continue
                self._idle.clear()
                try:
                    await self.route_message(message)  # type: ignore[attr-defined]
                finally:
                    self._idle.set()
        finally:
            for task in list(self._tasks):
                task.cancel()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run requests of ours to the charger beside its session (ended with its socket)."""
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Take no new frame; return once the one being handled is answered."""
        self._draining = True
        await self._idle.wait()

    async def _refuse(
        self, raw_msg: str | bytes, code: str, description: str, what: str = "a frame"
    ) -> None:
        """Answer a frame we cannot route with a CallError, and say so in one line."""
        logs.bad_input(self.id, what, code, description)
        await self._send(framing.frame_error(raw_msg, code, description))

    async def _serve_call(self, unique_id: str, action: str, payload: Any, version: str) -> None:
        """Answer a charger's call: its answer, or the CallError its fault deserves."""
        try:
            await self._answer_call(unique_id, action, payload, version)
        except websockets.ConnectionClosed:
            raise  # the socket is gone (the charger left, the node stops): nothing to answer
        except OCPPError as exc:  # the charger's input is wrong: one line, no traceback
            logs.bad_input(self.id, action, exc.code, exc.description)
            await self._send(framing.error_frame(unique_id, exc))
        except Exception as exc:  # one bad message must never end the charger's session
            log.exception("%s: failed to handle %s", self.id, action)
            await self._send(framing.error_frame(unique_id, InternalError(str(exc)[:200])))

    async def _answer_call(self, unique_id: str, action: str, payload: Any, version: str) -> None:
        """Check, handle and answer a charger's call, then run its after-hook: what the
        library's router does, with schemas compiled once instead of walked per message."""
        handlers = self.route_map[action]
        payload = schemas.checked_call(action, payload, version)
        answer = handlers["_on_action"](**framing.snake_keys(payload))
        if inspect.isawaitable(answer):  # handlers may be plain functions
            answer = await answer
        body = framing.answer_body(answer)
        schemas.check_answer(action, body, version)
        await self._send(json.dumps([3, unique_id, body], separators=(",", ":")))
        after = handlers.get("_after_action")
        if after is not None:
            done = after(**framing.snake_keys(payload))
            if inspect.iscoroutine(done):  # it may call the charger: beside the session
                self._spawn(done)

    async def _db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

    async def _store(self, action: str, payload: dict[str, Any]) -> None:
        """Keep a charger message as it came (an event of the charger's history)."""
        await self._db(self.charging.record_event, self.id, action, payload)

    async def send_command(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CSMS-initiated call, persist it, and return the response payload (camelCase)."""
        digest = None
        if action == SET_SCHEDULE:
            schedule = self._schedule(payload)
            action, payload, digest = "SetChargingProfile", self._profile(schedule), schedule.digest
        elif action == CLEAR_SCHEDULE:
            action, payload = (
                "ClearChargingProfile",
                self.SCHEDULES.clear_profile(int(payload["profileId"])),
            )
        elif action in (START_CHARGING, STOP_CHARGING):
            action, payload = self._remote(action, payload)
        request = framing.request(self.CALLS, self.CATALOGUE, action, payload)
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
            refused = _refusal_effects(action, exc)
            await self._finish(command_id, CommandStatus.ERROR, error=str(exc), effects=refused)
            raise framing.charger_error(self.id, action, exc) from None
        answer = dict(snake_to_camel_case(remove_nones(dataclasses.asdict(result))))
        effects = self.effects_of(action, payload, answer)
        if digest is not None:  # remember which neutral schedule is in force
            effects = [
                dataclasses.replace(e, digest=digest) if isinstance(e, ProfileOutcome) else e
                for e in effects
            ]
        await self._finish(command_id, CommandStatus.ANSWERED, answer, effects=effects)
        return answer

    async def sync_local_list(self, ask_version: bool = False) -> int:
        """Bring the charger's local list in step (Full when it lags); updates sent."""
        if ask_version:
            await self.send_command("GetLocalListVersion", {})
        sent = 0
        for update in await self._db(local_lists.updates_for, self.db, self.id, self.PROTOCOL):
            payload = self.LOCAL_LISTS.local_list_payload(update)
            answer = await self.send_command("SendLocalList", payload)
            sent += 1
            if answer.get("status") != "Accepted":
                break
        return sent

    @staticmethod
    def _schedule(payload: dict[str, Any]) -> PowerSchedule:
        try:
            return PowerSchedule.from_payload(payload)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(f"Invalid charging schedule: {exc}") from None

    def _remote(self, action: str, payload: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """A neutral start or stop as this protocol's request."""
        try:
            if action == START_CHARGING:
                found: tuple[str, dict[str, Any]] = self.REMOTE.start(
                    RemoteStart.from_payload(payload)
                )
            else:
                found = self.REMOTE.stop(RemoteStop.from_payload(payload))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationFailed(f"Invalid {action}: {exc}") from None
        return found

    def _profile(self, schedule: PowerSchedule) -> dict[str, Any]:
        try:
            found: dict[str, Any] = self.SCHEDULES.set_profile(schedule)
        except ValueError as exc:
            raise ValidationFailed(f"Invalid charging schedule: {exc}") from None
        return found

    def effects_of(
        self, action: str, payload: dict[str, Any], answer: dict[str, Any]
    ) -> list[CommandEffect]:
        """What an answered command changes in our records (the protocol's rules)."""
        raise NotImplementedError

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

    def _queue(self, report: Report) -> None:
        if not self.node.report(self.id, report):
            # Storage is away and the queue is full: never acknowledge what we cannot keep.
            raise InternalError(description="Reports cannot be stored right now; send again later")


def _refusal_effects(action: str, exc: OCPPError) -> list[CommandEffect]:
    """What a CallError answer tells us: a charger without a local list says NotSupported
    (2.0.1 has no such status in its answers), so it is not sent one again."""
    if action in ("SendLocalList", "GetLocalListVersion") and exc.code == "NotSupported":
        return [LocalListVersion(-1)]
    return []
