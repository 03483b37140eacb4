"""OCPP 1.6J charge point session: thin handlers that call services off the event loop."""

from __future__ import annotations

import asyncio
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, RegistrationStatus

from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database
from ocpp_server import services


class ChargePoint16(ChargePoint):
    """The CSMS side of one charger's OCPP 1.6 connection."""

    def __init__(self, charger_id: str, connection: Any, *, db: Database, settings: Settings):
        super().__init__(charger_id, connection, response_timeout=settings.command_timeout)
        self.db = db
        self.settings = settings

    async def send_command(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CSMS-initiated call and return the response payload."""
        raise NotImplementedError(action)

    @on(Action.boot_notification)
    async def on_boot(self, charge_point_vendor: str, charge_point_model: str, **kw: Any) -> Any:
        status = await asyncio.to_thread(
            services.record_boot, self.db, self.id, charge_point_vendor, charge_point_model, kw
        )
        return call_result.BootNotification(
            current_time=utcnow().isoformat(),
            interval=self.settings.heartbeat_interval,
            status=RegistrationStatus(status),
        )

    @on(Action.heartbeat)
    async def on_heartbeat(self, **kw: Any) -> Any:
        await asyncio.to_thread(services.touch, self.db, self.id)
        return call_result.Heartbeat(current_time=utcnow().isoformat())
