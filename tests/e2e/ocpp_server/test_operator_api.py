"""Operator API: lists, live status and commands sent through the bus to a real charger."""

import asyncio
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from mobility.app import create_app, ocpp_node
from mobility.bus import InProcessBus
from mobility.demo import seed_demo
from mobility.models import ApiToken, ChargerCommand, User
from mobility.security import token_digest
from ocpp_server.v16 import commands as v16_commands
from tests.e2e.ocpp_server.conftest import connect


class Loop:
    """An event loop in a thread running the OCPP server and one connected charger."""

    def __init__(self, settings, db, bus):
        self.loop = asyncio.new_event_loop()
        self.server = ocpp_node(settings, db=db, bus=bus)
        self.ready = threading.Event()
        self.stop = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self.main(),))

    async def main(self):
        self.stop = asyncio.Event()
        await self.server.start()
        async with connect(self.server, "CP-LYON-001") as cp:
            from ocpp.v16 import call

            await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
            await self.server.presence.flush()  # connection states are stored in batches
            await self.server.flush_reports()  # and so are boot details
            self.ready.set()
            await self.stop.wait()
        await self.server.stop()


@pytest.fixture
def api(db, settings):
    seed_demo(db)
    tokens = {}
    with db.transaction() as s:
        for email in ("operator@example.org", "citizen@example.org"):
            user = s.scalar(select(User).where(User.email == email))
            token = f"tok-{user.id}-secret"
            s.add(
                ApiToken(
                    user_id=user.id, token_hash=token_digest(token), created_at=datetime.now(UTC)
                )
            )
            tokens[email.split("@")[0]] = token
    bus = InProcessBus()
    runner = Loop(settings, db, bus)
    runner.thread.start()
    assert runner.ready.wait(10)
    client = create_app(settings, db=db, bus=bus).test_client()
    yield client, tokens
    runner.loop.call_soon_threadsafe(runner.stop.set)
    runner.thread.join(10)


def _h(token):
    return {"Authorization": f"Bearer {token}"}


def test_operator_lists_chargers_with_live_status(api):
    client, tokens = api
    r = client.get("/api/v1/operator/chargers?per_page=2", headers=_h(tokens["operator"]))
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] == 3 and body["pages"] == 2 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["id"] == "CP-LYON-001" and first["online"] is True
    # Commands offered are the catalogue of the charger's protocol version, defined once.
    assert first["ocpp_version"] == "1.6" and first["commands"] == list(v16_commands.COMMANDS)
    assert [c["connector_id"] for c in first["connectors"]] == [1, 2]
    r = client.get("/api/v1/operator/chargers?page=0", headers=_h(tokens["operator"]))
    assert r.status_code == 422 and r.get_json()["error"] == "validation_failed"


def test_only_operators_may_use_the_api(api):
    client, tokens = api
    assert client.get("/api/v1/operator/chargers").status_code == 401
    r = client.get("/api/v1/operator/chargers", headers=_h(tokens["citizen"]))
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    r = client.get("/api/v1/operator/chargers", headers=_h("forged-token"))
    assert r.status_code == 401


def test_operator_sends_commands_and_sees_their_history(api, db):
    client, tokens = api
    h = _h(tokens["operator"])
    r = client.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/Reset", json={"type": "Soft"}, headers=h
    )
    assert r.status_code == 200 and r.get_json()["response"] == {"status": "Accepted"}
    expiry = (datetime.now(UTC) + timedelta(minutes=20)).isoformat()
    r = client.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/ReserveNow",
        headers=h,
        json={"connectorId": 1, "idTag": "RFID-CONFLUENCE-0001", "expiryDate": expiry},
    )
    assert r.status_code == 200 and r.get_json()["payload"]["reservationId"] >= 1
    r = client.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/Reset", json={"type": "No"}, headers=h
    )
    assert r.status_code == 422
    r = client.post("/api/v1/operator/chargers/CP-LYON-001/commands/Explode", json={}, headers=h)
    assert r.status_code == 404 and "DataTransfer" in r.get_json()["message"]
    r = client.post(
        "/api/v1/operator/chargers/CP-LYON-002/commands/Reset", json={"type": "Soft"}, headers=h
    )
    assert r.status_code == 503 and r.get_json()["error"] == "charger_offline"
    r = client.get("/api/v1/operator/chargers/CP-LYON-001/commands", headers=h)
    items = r.get_json()["items"]
    # After its boot the charger got its local list (GetLocalListVersion, SendLocalList).
    sync = {(c["action"], c["status"]) for c in items if "LocalList" in c["action"]}
    assert sync == {("GetLocalListVersion", "answered"), ("SendLocalList", "answered")}
    history = [(c["action"], c["status"]) for c in items if "LocalList" not in c["action"]]
    assert history == [("Reset", "error"), ("ReserveNow", "answered"), ("Reset", "answered")]
    with db.sessions() as s:
        offline = s.scalar(select(ChargerCommand).where(ChargerCommand.status == "offline"))
        assert offline is not None and offline.action == "Reset"
    r = client.get("/api/v1/operator/transactions", headers=h)
    assert r.status_code == 200 and r.get_json()["items"] == []
