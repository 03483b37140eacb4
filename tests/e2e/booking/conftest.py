"""A booking app on the test database with the demo district and logged-in API clients."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.mail import LogMailer
from mobility.models import Hub, Vehicle


@pytest.fixture
def mailer():
    return LogMailer()


@pytest.fixture
def app(db, settings, mailer):
    seed_demo(db)
    return create_app(settings, db=db, mailer=mailer)


@pytest.fixture
def client(app):
    return app.test_client()


def token_for(client, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/tokens", json={"email": email, "password": password})
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def register_confirmed(client, mailer, email: str, password: str, name: str = "") -> None:
    """Register through the API and open the link of the confirmation mail (LogMailer)."""
    r = client.post(
        "/api/v1/accounts",
        json={"email": email, "password": password, "full_name": name or email.split("@")[0]},
    )
    assert r.status_code == 202, r.get_json()
    client.application.extensions["booking"].outbox.flush()  # mail goes out after commit
    [body] = [b for to, _, b in mailer.sent if to == email.lower() and "/confirm-email/" in b]
    link = urlsplit(re.search(r"https?://\S+/confirm-email/\S+", body).group(0))
    assert client.get(f"{link.path}?{link.query}").status_code == 302


@pytest.fixture
def citizen(client):
    return token_for(client, "citizen@example.org")


@pytest.fixture
def ids(db):
    with db.sessions() as s:
        return {
            "bike": s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101")),
            "car": s.scalar(select(Vehicle.id).where(Vehicle.code == "CAR-101")),
            "car_low": s.scalar(select(Vehicle.id).where(Vehicle.code == "CAR-102")),
            "hub": s.scalar(select(Hub.id).where(Hub.slug == "confluence-nautique")),
            "hub2": s.scalar(select(Hub.id).where(Hub.slug == "perrache")),
        }


def at(hours: float) -> str:
    """An ISO time `hours` from now (rounded to the minute)."""
    t = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(hours=hours)
    return t.isoformat()


def ride_for(db, minutes: int, trip_id: int | None = None) -> None:
    """Let active trips have lasted `minutes` (ending one at once is an implausible ride)."""
    from sqlalchemy import update

    from mobility.clock import utcnow
    from mobility.models import Trip

    stmt = update(Trip).where(Trip.status == "active")
    if trip_id is not None:
        stmt = stmt.where(Trip.id == trip_id)
    with db.transaction() as s:
        s.execute(stmt.values(started_at=utcnow() - timedelta(minutes=minutes)))


def checked_licence(client, headers: dict[str, str]) -> None:
    """Enter a driving licence through the API and have the demo operator check it."""
    licence = {"number": "TEST123456", "country": "FR", "expires_on": "2036-01-31"}
    assert client.put("/api/v1/me/licence", headers=headers, json=licence).status_code == 200
    me = client.get("/api/v1/me", headers=headers).get_json()["id"]
    operator = token_for(client, "operator@example.org")
    r = client.post(f"/api/v1/operator/users/{me}/licence/verify", headers=operator)
    assert r.status_code == 200, r.get_json()
