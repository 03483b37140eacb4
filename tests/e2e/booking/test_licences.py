"""Driving licences end to end: a citizen enters theirs, an operator checks it (API or console),
and e-cars are booked (created or moved) only with a checked licence valid until the end."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update

from mobility.models import AuditEntry, User
from tests.e2e.booking.conftest import at, register_confirmed, token_for

PASSWORD = "a fine long passphrase"


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email: str, password: str = PASSWORD) -> None:
    token = _csrf(client, "/login")
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 302


def _day(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()


def _book(client, h, vehicle: int, start: float, end: float):
    body = {"vehicle_id": vehicle, "start": at(start), "end": at(end)}
    return client.post("/api/v1/bookings", headers=h, json=body)


def test_an_ecar_needs_a_licence_checked_by_an_operator(client, mailer, ids, db):
    register_confirmed(client, mailer, "ana@example.org", PASSWORD, "Ana")
    h = token_for(client, "ana@example.org", PASSWORD)
    operator = token_for(client, "operator@example.org")
    r = _book(client, h, ids["car"], 2, 3)
    assert r.status_code == 403 and r.get_json()["error"] == "licence_required"
    assert "add yours on your profile" in r.get_json()["message"]
    assert _book(client, h, ids["bike"], 2, 3).status_code == 201  # e-bikes need none
    # A quote is still given: the price is no secret.
    quote = {"vehicle_id": ids["car"], "start": at(2), "end": at(3)}
    assert client.post("/api/v1/quotes", headers=h, json=quote).status_code == 200

    licence = {"number": "ES-1234567", "country": "ES", "expires_on": _day(400)}
    r = client.put("/api/v1/me/licence", headers=h, json={**licence, "country": "Spain"})
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "licence_country"
    r = client.put("/api/v1/me/licence", headers=h, json=licence)
    assert r.status_code == 200 and r.get_json()["driving_licence"]["verified"] is False
    r = _book(client, h, ids["car"], 2, 3)
    assert r.status_code == 403 and r.get_json()["error"] == "licence_not_verified"

    # Only operators see and decide; the pending list names Ana.
    me = client.get("/api/v1/me", headers=h).get_json()["id"]
    assert client.get("/api/v1/operator/licences", headers=h).status_code == 403
    pending = client.get("/api/v1/operator/licences", headers=operator).get_json()["items"]
    assert [p["email"] for p in pending] == ["ana@example.org"]
    assert pending[0]["number"] == "ES1234567"
    r = client.post(f"/api/v1/operator/users/{me}/licence/verify", headers=operator)
    assert r.status_code == 200 and r.get_json()["verified_at"]
    assert client.get("/api/v1/operator/licences", headers=operator).get_json()["items"] == []
    r = client.get("/api/v1/operator/licences?status=verified", headers=operator)
    assert me in [p["user_id"] for p in r.get_json()["items"]]  # with the demo drivers
    assert _book(client, h, ids["car"], 2, 3).status_code == 201
    with db.sessions() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(me)))
        assert list(actions) == ["licence.verify"]

    # New details withdraw the check: they are checked again.
    r = client.put("/api/v1/me/licence", headers=h, json={**licence, "number": "ES7654321"})
    assert r.get_json()["driving_licence"]["verified"] is False
    r = _book(client, h, ids["car"], 5, 6)
    assert r.status_code == 403 and r.get_json()["error"] == "licence_not_verified"


def test_the_licence_must_be_valid_until_the_booking_ends_when_created_or_moved(
    client, mailer, ids, db
):
    register_confirmed(client, mailer, "ana@example.org", PASSWORD, "Ana")
    h = token_for(client, "ana@example.org", PASSWORD)
    with db.transaction() as s:
        # Checked, and it expires at the end of tomorrow (platform time).
        tomorrow = datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)
        s.execute(
            update(User)
            .where(User.email == "ana@example.org")
            .values(
                driving_licence_number="AL123456",
                driving_licence_country="FR",
                driving_licence_expires_on=tomorrow,
                driving_licence_verified_at=datetime.now(UTC),
            )
        )
    r = _book(client, h, ids["car"], 72, 73)
    assert r.status_code == 403 and r.get_json()["error"] == "licence_expired"
    assert r.get_json()["details"]["expires_on"] == tomorrow.isoformat()
    r = _book(client, h, ids["car"], 1, 2)
    assert r.status_code == 201
    booking = r.get_json()["id"]
    moved = {"start": at(72), "end": at(73)}
    r = client.patch(f"/api/v1/bookings/{booking}", headers=h, json=moved)
    assert r.status_code == 403 and r.get_json()["error"] == "licence_expired"
    assert client.get(f"/api/v1/bookings/{booking}", headers=h).get_json()["end"] != moved["end"]


def test_an_operator_refuses_a_licence_with_a_reason_the_citizen_is_mailed(client, mailer, db):
    register_confirmed(client, mailer, "ana@example.org", PASSWORD, "Ana")
    h = token_for(client, "ana@example.org", PASSWORD)
    operator = token_for(client, "operator@example.org")
    licence = {"number": "AL123456", "country": "FR", "expires_on": _day(400)}
    client.put("/api/v1/me/licence", headers=h, json=licence)
    me = client.get("/api/v1/me", headers=h).get_json()["id"]
    r = client.post(f"/api/v1/operator/users/{me}/licence/reject", headers=operator, json={})
    assert r.status_code == 422
    why = {"reason": "The number does not match the photo."}
    r = client.post(f"/api/v1/operator/users/{me}/licence/reject", headers=operator, json=why)
    assert r.status_code == 200 and r.get_json()["number"] is None
    assert client.get("/api/v1/me/licence", headers=h).get_json() == {"driving_licence": None}
    client.application.extensions["booking"].outbox.flush()
    [body] = [b for to, s, b in mailer.sent if to == "ana@example.org" and "licence" in s]
    assert "does not match the photo" in body
    r = client.post(f"/api/v1/operator/users/{me}/licence/verify", headers=operator)
    assert r.status_code == 409 and "no licence" in r.get_json()["message"]


def test_the_profile_page_takes_the_licence_and_the_console_checks_it(client, mailer, app, db):
    register_confirmed(client, mailer, "ana@example.org", PASSWORD, "Ana")
    _login(client, "ana@example.org")
    token = _csrf(client, "/profile")
    typed = {
        "csrf_token": token,
        "licence_number": "AL 123 456",
        "licence_country": "FR",
        "licence_expires_on": "2020-01-01",
    }
    r = client.post("/profile/licence", data=typed)
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="licence_expires_on-error"' in html
    assert 'value="AL 123 456"' in html  # what was typed is kept
    r = client.post("/profile/licence", data={**typed, "licence_expires_on": _day(800)})
    assert r.status_code == 302
    assert "Waiting for our team" in client.get("/profile").get_data(as_text=True)

    console = app.test_client()
    _login(console, "operator@example.org", "demo-password-2026")
    page = console.get("/console/licences").get_data(as_text=True)
    assert "ana@example.org" in page and "AL123456" in page
    with db.sessions() as s:
        uid = s.scalar(select(User.id).where(User.email == "ana@example.org"))
    token = _csrf(console, "/console/licences")
    r = console.post(f"/console/licences/{uid}/verify", data={"csrf_token": token})
    assert r.status_code == 303
    assert "Checked by our team" in client.get("/profile").get_data(as_text=True)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "licence.verify")) == 1
        assert s.get(User, uid).driving_licence_verified_by_id is not None
    # A citizen is no operator.
    mine = {"csrf_token": _csrf(client, "/profile")}
    assert client.post(f"/console/licences/{uid}/verify", data=mine).status_code == 403


def test_booking_an_ecar_on_the_page_says_why_it_is_refused(client, mailer, ids):
    register_confirmed(client, mailer, "ana@example.org", PASSWORD, "Ana")
    _login(client, "ana@example.org")
    token = _csrf(client, f"/vehicles/{ids['car']}")
    form = {"start": at(2)[:16], "end": at(3)[:16], "csrf_token": token, "action": "confirm"}
    r = client.post(f"/vehicles/{ids['car']}/book", data=form)
    assert r.status_code == 403
    assert "driving licence checked by our team" in r.get_data(as_text=True)
