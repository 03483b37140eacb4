"""What every protocol adapter's charger session does the same way: commands and report queues.

Each adapter's ChargePoint mixes this in and names its protocol's call module, command
catalogue and command effects; the handlers stay protocol-specific.
"""

from __future__ import annotations

import asyncio
import dataclasses
from types import ModuleType
from typing import Any, ClassVar

from ocpp.charge_point import remove_nones, snake_to_camel_case
from ocpp.exceptions import InternalError, OCPPError

from mobility.charging_schedule import CLEAR_SCHEDULE, SET_SCHEDULE, PowerSchedule
from mobility.db import Database
from mobility.errors import CommandTimeout, ValidationFailed
from mobility.models import CommandStatus
from mobility.remote_charging import START_CHARGING, STOP_CHARGING, RemoteStart, RemoteStop
from ocpp_server import commands, framing
from ocpp_server.events import CommandEffect, ProfileOutcome, Report
from ocpp_server.node import Node
from ocpp_server.services import ChargingService


class CommandSession:
    """Commands to a charger (recorded before, outcome and effects after) and report queueing."""

    CALLS: ClassVar[ModuleType]  # the protocol's `ocpp.vXX.call` module
    CATALOGUE: ClassVar[tuple[str, ...]]
    SCHEDULES: ClassVar[ModuleType]  # the adapter's `schedules` module (neutral -> protocol)
    REMOTE: ClassVar[ModuleType]  # the adapter's `remote` module (neutral start/stop)

    id: str
    node: Node
    charging: ChargingService
    db: Database
    call: Any  # the library ChargePoint's coroutine method
    _connection: Any  # the library ChargePoint's websocket

    def _attach(self, node: Node) -> None:
        self.node = node
        self.charging = node.charging
        self.db = node.charging.db
        self._draining = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Serve the charger's frames one at a time until its socket closes or the node drains."""
        while True:
            message = await self._connection.recv()
            if self._draining:
                # Arrived while the node stops: left unanswered, the charger sends it again.
                # The node closes the socket (1001) once the frame before this one is answered.
                continue
            self._idle.clear()
            try:
                await self.route_message(message)  # type: ignore[attr-defined]
            finally:
                self._idle.set()

    async def drain(self) -> None:
        """Take no new frame; return once the one being handled is answered."""
        self._draining = True
        await self._idle.wait()

    async def _db(self, fn: Any, *args: Any) -> Any:
        return await asyncio.to_thread(fn, *args)

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
            await self._finish(command_id, CommandStatus.ERROR, error=str(exc))
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
