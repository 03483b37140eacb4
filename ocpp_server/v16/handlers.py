"""OCPP 1.6J charge point session: thin handlers translating to the neutral core, off the loop."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from types import ModuleType
from typing import Any, ClassVar

import websockets
from ocpp.routing import after, on
from ocpp.v16 import ChargePoint, call, call_result
from ocpp.v16.enums import Action, RegistrationStatus

from mobility.clock import utcnow
from mobility.errors import DomainError, ValidationFailed
from ocpp_server import configuration
from ocpp_server.events import BootAnswer, BootReport, CommandEffect
from ocpp_server.framing import translated_errors
from ocpp_server.logs import SessionLog
from ocpp_server.node import Node
from ocpp_server.session import CommandSession
from ocpp_server.v16 import profiles, remote, schedules, security, translate
from ocpp_server.v16.commands import COMMANDS, effects
from ocpp_server.v16.quirks import USED_KEYS, quirks_for
from ocpp_server.v16.security import SecurityHandlers16

log = logging.getLogger(__name__)


class ChargePoint16(SecurityHandlers16, CommandSession, ChargePoint):
    """The CSMS side of one charger's OCPP 1.6 connection."""

    CALLS = call
    PROTOCOL = translate.PROTOCOL_VERSION
    CATALOGUE = COMMANDS
    SCHEDULES: ClassVar[ModuleType] = schedules
    REMOTE: ClassVar[ModuleType] = remote
    LOCAL_LISTS: ClassVar[ModuleType] = translate

    def __init__(self, charger_id: str, connection: Any, node: Node) -> None:
        self._init_library(
            charger_id, connection, node.settings.command_timeout, SessionLog(charger_id)
        )
        self._attach(node)
        # The last boot's answer, vendor and model.
        self._booted: tuple[BootAnswer, str | None, str | None] | None = None

    async def send_command(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a command; a charging profile is checked against the charger first."""
        if action == "SetChargingProfile":
            config = await self._db(configuration.values_of, self.db, self.id)
            found = profiles.problems(payload, config)
            if found:
                raise ValidationFailed("SetChargingProfile refused: " + "; ".join(found))
        if action == "ChangeConfiguration":
            # The boot answer learnt at the handshake may be stale now (HeartbeatInterval).
            self.node.boot_answer(self.id)
        return await super().send_command(action, payload)

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
            await self._refuse(raw_msg, "FormationViolation", "Frame is not JSON")
            return
        if (
            not isinstance(parsed, list)
            or len(parsed) < 3
            or parsed[0] not in (2, 3, 4)
            or not isinstance(parsed[1], str)
            or (
                parsed[0] == 2
                and (
                    len(parsed) != 4
                    or not isinstance(parsed[2], str)
                    or not isinstance(parsed[3], dict)
                )
            )
        ):
            await self._refuse(raw_msg, "FormationViolation", "Frame is not an OCPP-J message")
            return
        if parsed[0] == 2 and parsed[2] not in self.route_map:
            # OCPP-J: NotImplemented = action unknown; NotSupported = known but not for us.
            known = parsed[2] in {a.value for a in Action}
            code = "NotSupported" if known else "NotImplemented"
            await self._refuse(raw_msg, code, f"{parsed[2]} is not handled by the CSMS", parsed[2])
            return
        if parsed[0] != 2:
            await super().route_message(raw_msg)  # the answer to one of our commands
            return
        # Chargers send vendor fields the strict 1.6 schemas forbid (dropped, the rest kept)
        # and numbers where the schema wants strings (meter values: made strings).
        payload = translate.lenient_call(parsed[2], parsed[3])
        await self._serve_call(parsed[1], parsed[2], payload, self.PROTOCOL)

    @on(Action.boot_notification)
    @translated_errors
    async def on_boot(self, **payload: Any) -> Any:
        answer = self.node.boot_answer(self.id) or await self._db(
            self.charging.boot_answer, self.id
        )
        # Station details are stored with the next batch: the answer needs none of them.
        info = translate.station_info(payload)
        self._queue(BootReport(info, payload, utcnow()))
        self._booted = (answer, info.vendor, info.model)
        return call_result.BootNotification(
            current_time=_now(), interval=answer.interval, status=RegistrationStatus(answer.status)
        )

    @after(Action.boot_notification)
    def after_boot(self, **_: Any) -> None:
        """Once the boot is answered: probe the configuration if allowed, sync the local list."""
        if self._booted is None or self._booted[0].status != RegistrationStatus.accepted:
            return
        self._spawn(self._after_boot(*self._booted))

    async def _after_boot(self, boot: BootAnswer, vendor: str | None, model: str | None) -> None:
        quirks = quirks_for(vendor, model)
        settings = self.node.settings
        # Spread over a while: after a restart every charger boots at once.
        await asyncio.sleep(random.uniform(0, settings.ocpp_after_boot_delay))
        try:
            if settings.ocpp_probe_configuration and quirks.probe_configuration:
                keys = list(quirks.configuration_keys or USED_KEYS)
                await self.send_command("GetConfiguration", {"key": keys})
            # Chargers keep their local list through reboots (OCPP 1.6 3.5.3): only a charger
            # that never took ours gets it now; changes go out with the sync job, and lost
            # lists are found by the version audit job. A restart storm stays read-only.
            if quirks.local_list and boot.wants_list:
                await self.sync_local_list(ask_version=True)
        except DomainError as exc:  # the charger refused: the job tries again later
            log.info("%s: after-boot requests stopped: %s", self.id, exc.message)
        except websockets.ConnectionClosed:
            pass  # gone meanwhile: it boots again when it comes back

    @on(Action.heartbeat)
    @translated_errors
    async def on_heartbeat(self, **_: Any) -> Any:
        # Liveness is recorded in batches by the node (every message counts as a sign of life).
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    @translated_errors
    async def on_status(self, **payload: Any) -> Any:
        self._queue(translate.status_report(payload))
        return call_result.StatusNotification()

    @on(Action.authorize)
    @translated_errors
    async def on_authorize(self, id_tag: str, **_: Any) -> Any:
        auth = await self._db(self.charging.authorize, id_tag)
        return call_result.Authorize(id_tag_info=translate.id_tag_info(auth))

    @on(Action.start_transaction)
    @translated_errors
    async def on_start(self, **payload: Any) -> Any:
        answer = await self._db(
            self.charging.start_transaction, self.id, translate.started(payload)
        )
        return call_result.StartTransaction(
            transaction_id=int(answer.transaction_ref),
            id_tag_info=translate.id_tag_info(answer.authorization),
        )

    @on(Action.stop_transaction)
    @translated_errors
    async def on_stop(self, **payload: Any) -> Any:
        ended = translate.ended(payload)
        # The session is priced from stored samples (idle time): none may still be queued.
        await self.node.flush_reports()
        auth = await self._db(self.charging.end_transaction, self.id, ended)
        return call_result.StopTransaction(
            id_tag_info=translate.id_tag_info(auth) if auth is not None else None
        )

    @on(Action.meter_values)
    @translated_errors
    async def on_meter_values(self, **payload: Any) -> Any:
        self._queue(translate.meter_report(payload))
        return call_result.MeterValues()

    @on(Action.data_transfer)
    @translated_errors
    async def on_data_transfer(self, **payload: Any) -> Any:
        await self._db(self.charging.record_event, self.id, "DataTransfer", payload)
        # We know no vendor extensions: say so, as the spec asks, rather than pretending.
        return call_result.DataTransfer(status="UnknownVendorId")

    @on(Action.diagnostics_status_notification)
    @translated_errors
    async def on_diagnostics(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(self.charging.record_diagnostics_status, self.id, status, payload)
        return call_result.DiagnosticsStatusNotification()

    @on(Action.firmware_status_notification)
    @translated_errors
    async def on_firmware(self, **payload: Any) -> Any:
        status = str(payload.get("status"))
        await self._db(self.charging.record_firmware_status, self.id, status, payload)
        return call_result.FirmwareStatusNotification()


def _now() -> str:
    """currentTime for chargers: UTC with a Z."""
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")
