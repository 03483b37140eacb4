"""The web app on the demo district, signed-in operator and citizen clients, a live charger."""

from __future__ import annotations

import asyncio
import re
import threading
from datetime import UTC, datetime

import pytest
from ocpp.v16 import call
from ocpp.v201 import call as call201
from sqlalchemy import func, select

from mobility.app import create_app, ocpp_node
from mobility.bus import InProcessBus
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import AuditEntry
from tests.e2e.ocpp_server.conftest import connect
from tests.e2e.ocpp_server.station201 import connect201

# Noon in Paris on 30 March 2026, the day after the spring change (29 March has 23 hours).
FROZEN_NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


def csrf_of(html: str) -> str:
    """The CSRF token of a rendered form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, email: str) -> str:
    """Log `client` in through the login form; returns a CSRF token for later forms."""
    token = csrf_of(client.get("/login").get_data(as_text=True))
    r = client.post("/login", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert r.status_code == 302
    return token


def audit_count(db, action: str) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).where(AuditEntry.action == action))


class LiveCharger:
    """An OCPP node in its own event loop thread with CP-LYON-001 connected and booted."""

    cp_id = "CP-LYON-001"

    def __init__(self, settings, db, bus):
        self.loop = asyncio.new_event_loop()
        self.server = ocpp_node(settings, db=db, bus=bus)
        self.ready = threading.Event()
        self.stop: asyncio.Event | None = None
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.main(),))

    def connect(self):
        return connect(self.server, self.cp_id)

    async def boot(self, cp):
        await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))

    def run(self, coroutine, timeout=10):
        """Run a coroutine (a charger call, say) on the node's loop and return its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def main(self):
        self.stop = asyncio.Event()
        await self.server.start()
        async with self.connect() as cp:
            await self.boot(cp)
            await self.server.presence.flush()
            await self.server.flush_reports()
            self.cp = cp
            self.ready.set()
            await self.stop.wait()
        await self.server.stop()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(10)


class LiveStation(LiveCharger):
    """The same with an OCPP 2.0.1 station."""

    def connect(self):
        return connect201(self.server, self.cp_id)

    async def boot(self, cp):
        station = {"model": "Eve 2", "vendor_name": "Alfen"}
        await cp.call(call201.BootNotification(charging_station=station, reason="PowerUp"))


@pytest.fixture
def frozen(monkeypatch):
    """The charger page's clock stopped at FROZEN_NOW (its uptime days end then)."""
    monkeypatch.setattr("console.services.chargers.utcnow", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def bus():
    return InProcessBus()


@pytest.fixture
def app(db, settings, bus):
    seed_demo(db)
    # Live tables poll every second here (the browser tests wait for an update).
    return create_app(settings, db=db, bus=bus, CONSOLE_LIVE_SECONDS=1)


@pytest.fixture
def operator(app):
    client = app.test_client()
    sign_in(client, "operator@example.org")
    return client


@pytest.fixture
def citizen(app):
    client = app.test_client()
    sign_in(client, "citizen@example.org")
    return client


@pytest.fixture
def live(settings, db, bus, app):
    with LiveCharger(settings, db, bus) as running:
        yield running


@pytest.fixture
def live201(settings, db, bus, app):
    with LiveStation(settings, db, bus) as running:
        yield running
