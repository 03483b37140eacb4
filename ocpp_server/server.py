"""Websocket endpoint of the CSMS: authenticates chargers, keeps their sessions, runs commands."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
import ssl
import weakref
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

import ocpp.messages as ocpp_messages
import websockets
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import NegotiationError
from websockets.http11 import Request, Response

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.errors import ChargerUnavailable
from ocpp_server import logs, protocols
from ocpp_server.events import BootAnswer, Report
from ocpp_server.gate import Gate
from ocpp_server.node import ChargerSession
from ocpp_server.presence import Presence
from ocpp_server.security import tls
from ocpp_server.security.services import SecurityService
from ocpp_server.services import ChargingService
from ocpp_server.writer import WriteBehind

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
# At shutdown, how long a message being handled may take to be answered.
DRAIN_SECONDS = 5.0
# How long a handshake may take. In a reconnect storm thousands queue for the password check;
# one cut short (websockets' default is 10 s) is redone from scratch by its charger later.
OPEN_TIMEOUT = 30.0


def charger_id_from_path(path: str) -> str | None:
    """`/ocpp/<id>` or `/<id>` -> id (percent-decoded); None when the path names no charger.

    Chargers percent-encode ids with special characters (`CP%2D01` for `CP-01`); the id is
    decoded once, after the path is split, so an encoded slash stays inside the id (and is
    then refused as an invalid id).
    """
    parts = [unquote(p) for p in path.split("?", 1)[0].split("/") if p]
    if len(parts) == 2 and parts[0] == "ocpp":
        return parts[1]
    if len(parts) == 1 and parts[0] != "ocpp":
        return parts[0]
    return None


def basic_password(header: str | None, cp_id: str) -> str | None:
    """Password from an HTTP Basic header whose user is the charge point id."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return password if user == cp_id else None


def _bound_port(server: Server) -> int:
    sock = next(iter(server.sockets))
    return int(sock.getsockname()[1])


class OcppServer:
    """One OCPP node: a websocket server plus the sessions of chargers connected to it."""

    def __init__(
        self,
        settings: Settings,
        charging: ChargingService,
        bus: CommandBus,
        security: SecurityService,
    ) -> None:
        self.settings = settings
        self.charging = charging
        self.security = security
        self.db = charging.db
        self.bus = bus
        self.sessions: dict[str, ChargerSession] = {}
        self._sockets: dict[str, ServerConnection] = {}
        self._server: Server | None = None
        self._tls_server: Server | None = None  # wss:// beside ws:// (OCPP_TLS_PORT)
        self._seen: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None
        self.presence = Presence(charging, bus, settings.node_id)
        self.gate = Gate(charging)
        self._closing: set[asyncio.Task[None]] = set()
        # Boot answers learnt at authentication, used once by the charger's BootNotification.
        self._boots: dict[str, BootAnswer] = {}
        self.writes = WriteBehind(charging.db)
        self._writer: asyncio.Task[None] | None = None
        self._presence: asyncio.Task[None] | None = None
        self._stopping = False
        # The OCPP version each connection's charger last booted with (set while authenticating).
        self._kept: weakref.WeakKeyDictionary[ServerConnection, str | None] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def port(self) -> int:
        """The bound port of OCPP_PORT (useful when started on port 0)."""
        assert self._server is not None, "server not started"
        return _bound_port(self._server)

    @property
    def tls_port(self) -> int:
        """The bound port of the wss:// listener beside ws:// (OCPP_TLS_PORT)."""
        assert self._tls_server is not None, "no TLS listener (OCPP_TLS_PORT unset)"
        return _bound_port(self._tls_server)

    def _ssl(self) -> ssl.SSLContext | None:
        if not self.settings.ocpp_tls_cert:
            return None
        return tls.server_context(self.settings, self.security.client_ca_file())

    async def start(self) -> None:
        """Bind and start accepting chargers."""
        # Schema validation is CPU-bound and fast with cached validators: run it inline rather
        # than paying a thread-pool hop per message (the library's default).
        ocpp_messages.ASYNC_VALIDATION = False
        context = self._ssl()
        separate = self.settings.ocpp_tls_port is not None
        self._server = await self._listen(self.settings.ocpp_port, None if separate else context)
        if separate and self.settings.ocpp_tls_port is not None:
            self._tls_server = await self._listen(self.settings.ocpp_tls_port, context)
        self.bus.attach(self.execute, asyncio.get_running_loop())
        self._flusher = asyncio.create_task(self._flush_loop())
        self._writer = asyncio.create_task(self.writes.run())
        self._presence = asyncio.create_task(self.presence.run())
        log.info("OCPP server listening on %s:%s", self.settings.ocpp_host, self.port)
        if self._tls_server is not None:
            log.info("OCPP over TLS on %s:%s", self.settings.ocpp_host, self.tls_port)

    async def stop(self) -> None:
        """Stop gracefully: accept no one, answer what is being handled, close every socket
        with 1001 (going away), then store everything acknowledged."""
        self._stopping = True  # sessions closing now leave their reports to the final flush
        listeners = [srv for srv in (self._server, self._tls_server) if srv is not None]
        for listener in listeners:
            listener.server.close()  # no new connections from here on
        self.bus.detach()
        await asyncio.gather(
            *(self._drain(session, self._sockets[cp]) for cp, session in self.sessions.items())
        )
        for listener in listeners:
            listener.close()  # handshakes still in progress get 503, then wait for handlers
            await listener.wait_closed()
        for task in (self._flusher, self._writer, self._presence):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for last in (self._flush, self.writes.flush, self.presence.settle):
            try:
                await last()
            except Exception as exc:  # the database is away: say what is lost, stop anyway
                log.error("at shutdown, %s failed: %s", last.__name__, exc)

    @staticmethod
    async def _drain(session: ChargerSession, ws: ServerConnection) -> None:
        """Let the frame being handled be answered, then close the socket (going away)."""
        try:
            await asyncio.wait_for(session.drain(), DRAIN_SECONDS)
        except TimeoutError:
            log.warning("charger %s: a message was still being handled at shutdown", session.id)
        await ws.close(code=1001, reason="CSMS shutting down")

    def seen(self, cp_id: str) -> None:
        """Note a sign of life; written to the database in batches."""
        self._seen.add(cp_id)

    def report(self, cp_id: str, report: Report) -> bool:
        """Queue a status or meter report for the write-behind batch; False when full."""
        return self.writes.add(cp_id, report)

    def boot_answer(self, cp_id: str) -> BootAnswer | None:
        """The boot answer found when the charger authenticated (once; later boots re-read)."""
        return self._boots.pop(cp_id, None)

    async def flush_reports(self) -> None:
        """Store every queued report now."""
        await self.writes.flush()

    async def _flush(self) -> None:
        # Only chargers still held here; a batch is forgotten only once it is stored.
        batch = {cp for cp in self._seen if cp in self.sessions}
        if batch:
            await asyncio.to_thread(self.charging.touch, sorted(batch), self.settings.node_id)
        self._seen -= batch | {cp for cp in self._seen if cp not in self.sessions}

    async def _flush_loop(self) -> None:
        failing = False
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await self._flush()
                failing = False
            except Exception as exc:  # the database may be away; keep the loop alive
                if not failing:
                    log.warning("liveness flush failed, will retry: %s", exc)
                failing = True

    async def execute(
        self, charger_id: str, action: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Bus executor: run a command on a charger connected to this node."""
        session = self.sessions.get(charger_id)
        if session is None:
            raise ChargerUnavailable(f"Charger {charger_id} is not connected.")
        return await session.send_command(action, payload)

    async def _listen(self, port: int, context: ssl.SSLContext | None) -> Server:
        return await serve(
            self._handle,
            self.settings.ocpp_host,
            port,
            subprotocols=protocols.subprotocols(),  # type: ignore[arg-type]
            select_subprotocol=self._select_subprotocol,
            process_request=self._check_request,
            open_timeout=OPEN_TIMEOUT,
            ssl=context,
            ping_interval=self.settings.ocpp_ping_interval,
            ping_timeout=self.settings.ocpp_ping_timeout,
            # A socket that answers no ping will not answer a close either: do not wait long.
            close_timeout=min(10.0, self.settings.ocpp_ping_timeout),
            max_size=2**20,
            # A restart makes every charger reconnect at once: queue them, do not drop SYNs.
            backlog=4096,
            logger=logs.handshakes(),  # handshakes at DEBUG: we log one line per charger
        )

    async def _check_request(self, conn: ServerConnection, request: Request) -> Response | None:
        cp_id = charger_id_from_path(request.path)
        if cp_id is None:
            return conn.respond(HTTPStatus.NOT_FOUND, "Path must be /ocpp/<charge_point_id>\n")
        profile, common_name = tls.connection_profile(conn.transport)
        if profile == 3 and common_name != cp_id:
            log.warning("refused charger %s: certificate names %s", cp_id, common_name)
            return conn.respond(HTTPStatus.FORBIDDEN, "Certificate does not name this charger\n")
        password = basic_password(request.headers.get("Authorization"), cp_id)
        try:
            outcome = await self.gate.check(cp_id, password, profile)
        except Exception as exc:  # cannot check the password now: the charger retries
            log.warning("cannot authenticate %s now: %s", cp_id, exc)
            return conn.respond(HTTPStatus.SERVICE_UNAVAILABLE, "Try again later\n")
        if not outcome.allowed:
            log.warning("refused charger %s: %s", cp_id, outcome.reason)
            response = conn.respond(HTTPStatus.UNAUTHORIZED, outcome.reason + "\n")
            response.headers["WWW-Authenticate"] = 'Basic realm="OCPP", charset="UTF-8"'
            return response
        if outcome.boot is not None:
            self._boots[cp_id] = outcome.boot
        self._kept[conn] = outcome.protocol
        return None

    def _select_subprotocol(self, conn: ServerConnection, offered: Sequence[str]) -> Any:
        """A charger keeps the version it last booted with while it offers it (protocols.choose)."""
        if not offered:
            raise NegotiationError("missing subprotocol")
        chosen = protocols.choose(offered, self._kept.pop(conn, None))
        if chosen is None:
            expected = ", ".join(protocols.subprotocols())
            raise NegotiationError(f"invalid subprotocol; expected one of {expected}")
        return chosen

    async def _handle(self, ws: ServerConnection) -> None:
        cp_id = charger_id_from_path(ws.request.path if ws.request else "/")
        if cp_id is None:  # process_request already refused it; belt and braces
            await ws.close(code=1008, reason="Path must be /ocpp/<charge_point_id>")
            return
        if self._stopping:  # its handshake finished after the node began stopping
            await ws.close(code=1001, reason="CSMS shutting down")
            return
        adapter = protocols.by_subprotocol(ws.subprotocol)
        if adapter is None:
            offered = ", ".join(protocols.subprotocols())
            await ws.close(code=1002, reason=f"Unsupported subprotocol; expected one of {offered}")
            return
        session = adapter.session(cp_id, ws, self)
        old = self._sockets.get(cp_id)
        # No await between looking up and replacing: however connections interleave, the
        # newest authenticated one is the only one registered, and every other is closed.
        self.sessions[cp_id] = session
        self._sockets[cp_id] = ws
        if old is not None:
            closing = asyncio.create_task(
                old.close(code=1000, reason="Replaced by a newer connection")
            )
            self._closing.add(closing)
            closing.add_done_callback(self._closing.discard)
        log.info("charger %s connected (%s)", cp_id, adapter.subprotocol)
        self.presence.arrived(cp_id)
        try:
            await session.start()
        except websockets.ConnectionClosed:
            pass
        finally:
            await self._gone(cp_id, session)

    async def _gone(self, cp_id: str, session: ChargerSession) -> None:
        """Cleanup that always completes: each step on its own, none waits for an outage."""
        if self.sessions.get(cp_id) is session:
            del self.sessions[cp_id]
            del self._sockets[cp_id]
            self.presence.left(cp_id)
            self._boots.pop(cp_id, None)
            log.info("charger %s disconnected", cp_id)
        if self._stopping:
            return
        try:
            await self.writes.flush()  # what a charger told us is stored before it is "gone"
        except Exception as exc:
            log.warning("reports of %s stay queued (database away): %s", cp_id, exc)
