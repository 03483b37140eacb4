"""Redis and PostgreSQL outages at the web edge: login, search, booking and operator commands.

While a dependency is down the answer is 503 with a message saying what is away (a page for
pages, JSON for the API), never 500; login does not need Redis (the rate limiter falls back to
memory and says so). The tests own their redis-server and PostgreSQL cluster on spare ports and
take them down for real.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from flask.testing import FlaskClient

from mobility import migrations
from mobility.app import create_app, ocpp_node
from mobility.config import load_settings
from mobility.db import Database
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.redis_bus import RedisBus
from tests.e2e.booking.conftest import at, token_for
from tests.e2e.booking.test_pages import _csrf, _login
from tests.e2e.ocpp_server.conftest import connect
from tests.support.outages import PostgresCluster, RedisServer

CITIZEN = {"email": "citizen@example.org", "password": DEMO_PASSWORD}
COMMAND = "/api/v1/operator/chargers/CP-LYON-001/commands/ClearCache"


def _vehicle_id(client: FlaskClient, start: str, end: str) -> int:
    r = client.get("/api/v1/vehicles", query_string={"start": start, "end": end, "kind": "ebike"})
    assert r.status_code == 200, r.get_json()
    return int(r.get_json()["items"][0]["id"])


def _unavailable(r: Any, says: str) -> None:
    """A 503 saying what is away; JSON on the API, a page elsewhere."""
    assert r.status_code == 503, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.headers.get("Retry-After")
    if r.is_json:
        assert r.get_json()["error"] == "service_unavailable"
        assert says in r.get_json()["message"]
    else:
        assert says in r.get_data(as_text=True)


def _no_500(caplog: Any) -> None:
    assert not [r for r in caplog.records if r.getMessage() == "unhandled error"]


@pytest.fixture
def redis_server(tmp_path) -> Any:
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


async def test_without_redis_login_search_and_booking_work_and_commands_get_a_clear_503(
    db, settings, redis_server, caplog
):
    seed_demo(db)
    node = ocpp_node(
        settings.with_(node_id="outage-node"),
        db=db,
        bus=RedisBus(redis_server.url, node_id="outage-node"),
    )
    await node.start()
    web = settings.with_(redis_url=redis_server.url)  # the login limiter's counters in Redis
    app = create_app(web, db=db, bus=RedisBus(redis_server.url, node_id="outage-web"))
    client = app.test_client()
    operator = token_for(client, "operator@example.org")
    try:
        async with connect(node, "CP-LYON-001"):
            for _ in range(50):
                if RedisBus(redis_server.url, "probe").redis.get("ocpp:route:CP-LYON-001"):
                    break
                await asyncio.sleep(0.1)
            r = await asyncio.to_thread(client.post, COMMAND, json={}, headers=operator)
            assert r.status_code == 200, r.get_json()  # the route works while Redis is up

            redis_server.kill()
            caplog.set_level(logging.INFO)
            citizen = token_for(client, "citizen@example.org")
            assert _login(client).status_code == 302
            assert "falling back to in-memory storage" in caplog.text
            assert client.get("/search", query_string={"kind": ""}).status_code == 200
            start, end = at(30), at(31)
            booking = {"vehicle_id": _vehicle_id(client, start, end), "start": start, "end": end}
            r = client.post("/api/v1/bookings", json=booking, headers=citizen)
            assert r.status_code == 201, r.get_json()
            r = await asyncio.to_thread(client.post, COMMAND, json={}, headers=operator)
            _unavailable(r, "command")
    finally:
        await node.stop()
        node.bus.close()
    _no_500(caplog)


@pytest.fixture(scope="module")
def own_postgres() -> Any:
    """A PostgreSQL cluster of the test's own, migrated, with the demo district."""
    cluster = PostgresCluster().init().start()
    db = Database(load_settings({}, database_url=cluster.url, secret_key="x", testing=True))
    migrations.upgrade(db.engine)
    seed_demo(db)
    db.dispose()
    yield cluster
    cluster.remove()


def _every_face(client: FlaskClient, citizen: Any, operator: Any) -> dict[str, Any]:
    """Login (API and page), search (API and page), booking, an operator command."""
    start, end = at(40), at(41)
    page_token = _csrf(client.get("/login").get_data(as_text=True))
    return {
        "api login": client.post("/api/v1/tokens", json=CITIZEN),
        "page login": client.post(
            "/login",
            data={
                **CITIZEN,
                "csrf_token": page_token,
            },
        ),
        "api search": client.get("/api/v1/vehicles", query_string={"start": start, "end": end}),
        "page search": client.get("/search", query_string={"kind": ""}),
        "booking": client.post(
            "/api/v1/bookings", json={"vehicle_id": 1, "start": start, "end": end}, headers=citizen
        ),
        "command": client.post(COMMAND, json={}, headers=operator),
    }


def test_while_postgresql_is_down_every_face_answers_a_clear_503_then_recovers(
    own_postgres, base_settings, caplog
):
    app = create_app(base_settings.with_(database_url=own_postgres.url, redis_url=None))
    client = app.test_client()
    citizen = token_for(client, "citizen@example.org")
    operator = token_for(client, "operator@example.org")
    own_postgres.stop()
    try:
        down = _every_face(client, citizen, operator)
    finally:
        own_postgres.start()
    for face, r in down.items():
        assert r.status_code == 503, face
        _unavailable(r, "database")
    back = _every_face(client, citizen, operator)
    assert back["api login"].status_code == 201
    assert back["page login"].status_code == 302
    assert back["api search"].status_code == back["page search"].status_code == 200
    assert back["booking"].status_code in (201, 409, 422), back["booking"].get_json()
    assert back["command"].status_code == 503  # no OCPP node holds the charger
    assert back["command"].get_json()["error"] == "charger_offline"
    _no_500(caplog)
