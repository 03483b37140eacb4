"""Composition root: runs the OCPP server, the web app and the scheduler, together or apart."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from dataclasses import dataclass, field

from werkzeug.serving import BaseWSGIServer, make_server

from mobility.bus import CommandBus, InProcessBus
from mobility.config import Settings
from mobility.db import Database

log = logging.getLogger(__name__)


def make_bus(settings: Settings) -> CommandBus:
    """In-process bus by default; Redis when REDIS_URL is set (several processes/nodes)."""
    if settings.redis_url:
        from mobility.redis_bus import RedisBus

        return RedisBus(settings.redis_url, node_id=settings.node_id)
    return InProcessBus()


@dataclass
class Platform:
    """The running parts of one process; `mobility run` starts them all."""

    settings: Settings
    web: bool = True
    ocpp: bool = True
    scheduler: bool = True
    db: Database = field(init=False)
    bus: CommandBus = field(init=False)
    ready: threading.Event = field(default_factory=threading.Event)
    web_port: int | None = None
    ocpp_port: int | None = None

    def __post_init__(self) -> None:
        self.db = Database(self.settings)
        self.bus = make_bus(self.settings)

    def _start_web(self) -> BaseWSGIServer:
        from booking.app import create_app

        app = create_app(self.settings, db=self.db, bus=self.bus)
        server = make_server(self.settings.web_host, self.settings.web_port, app, threaded=True)
        self.web_port = server.server_port
        threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
        log.info("web listening on http://%s:%s", self.settings.web_host, self.web_port)
        return server

    async def run(self, stop: asyncio.Event) -> None:
        """Start the enabled parts, wait for `stop`, then shut down in reverse order."""
        from mobility.scheduler import build_scheduler
        from ocpp_server.server import OcppServer

        ocpp_server = OcppServer(self.settings, self.db, self.bus) if self.ocpp else None
        if ocpp_server is not None:
            await ocpp_server.start()
            self.ocpp_port = ocpp_server.port
        web = self._start_web() if self.web else None
        sched = build_scheduler(self.settings, self.db, self.bus) if self.scheduler else None
        if sched is not None:
            sched.start()
        self.ready.set()
        try:
            await stop.wait()
        finally:
            log.info("shutting down")
            if sched is not None:
                sched.shutdown(wait=True)
            if web is not None:
                await asyncio.to_thread(web.shutdown)
            if ocpp_server is not None:
                await ocpp_server.stop()
            self.bus.close()
            self.db.dispose()


def serve_forever(platform: Platform) -> None:
    """Run until Ctrl-C or SIGTERM, then stop gracefully."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await platform.run(stop)

    asyncio.run(main())
