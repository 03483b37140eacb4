"""Websocket endpoint of the CSMS: accepts chargers, keeps their sessions, executes bus commands."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import websockets
from websockets.asyncio.server import Server, ServerConnection, serve

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database
from mobility.errors import ChargerUnavailable
from ocpp_server.v16 import ChargePoint16

log = logging.getLogger(__name__)

SUBPROTOCOLS = ["ocpp1.6"]


def charger_id_from_path(path: str) -> str | None:
    """`/ocpp/<id>` or `/<id>` -> id; None when the path names no charger."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if len(parts) == 2 and parts[0] == "ocpp":
        return parts[1]
    if len(parts) == 1 and parts[0] != "ocpp":
        return parts[0]
    return None


class OcppServer:
    """One OCPP node: a websocket server plus the sessions of chargers connected to it."""

    def __init__(self, settings: Settings, db: Database, bus: CommandBus) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.sessions: dict[str, ChargePoint16] = {}
        self._server: Server | None = None

    @property
    def port(self) -> int:
        """The bound port (useful when started on port 0)."""
        assert self._server is not None, "server not started"
        sock = next(iter(self._server.sockets))
        return int(sock.getsockname()[1])

    async def start(self) -> None:
        """Bind and start accepting chargers."""
        self._server = await serve(
            self._handle,
            self.settings.ocpp_host,
            self.settings.ocpp_port,
            subprotocols=SUBPROTOCOLS,  # type: ignore[arg-type]
            ping_interval=30,
            ping_timeout=30,
        )
        self.bus.attach(self.execute, asyncio.get_running_loop())
        log.info("OCPP server listening on %s:%s", self.settings.ocpp_host, self.port)

    async def stop(self) -> None:
        """Close every session and stop listening."""
        self.bus.detach()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def execute(
        self, charger_id: str, action: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Bus executor: run a command on a charger connected to this node."""
        session = self.sessions.get(charger_id)
        if session is None:
            raise ChargerUnavailable(f"Charger {charger_id} is not connected.")
        return await session.send_command(action, payload)

    async def _handle(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request else "/"
        charger_id = charger_id_from_path(path)
        if charger_id is None:
            await ws.close(code=1008, reason="Path must be /ocpp/<charge_point_id>")
            return
        if ws.subprotocol is None:
            await ws.close(code=1002, reason="Unsupported subprotocol; expected ocpp1.6")
            return
        session = ChargePoint16(charger_id, ws, db=self.db, settings=self.settings)
        self.sessions[charger_id] = session
        try:
            await session.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            if self.sessions.get(charger_id) is session:
                del self.sessions[charger_id]
