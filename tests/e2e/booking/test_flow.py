"""The booking flow with the Flask client: price list, extend, confirm a paid cancellation,
the live trip, problem reports with a photo, and what operators see of them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.mail import LogMailer
from mobility.models import AuditEntry, Booking, ProblemReport, Vehicle
from tests.e2e.booking.conftest import at, ride_for, token_for

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8


@pytest.fixture
def app(db, settings, tmp_path):
    seed_demo(db)
    return create_app(settings.with_(file_dir=str(tmp_path / "uploads")), db=db, mailer=LogMailer())


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email="citizen@example.org") -> str:
    token = _csrf(client.get("/login").get_data(as_text=True))
    client.post(
        "/login", data={"email": email, "password": "demo-password-2026", "csrf_token": token}
    )
    return _csrf(client.get("/").get_data(as_text=True))


def _ride(client, headers, vehicle: int, minutes: int = 30) -> tuple[int, int]:
    """Book now and unlock: (booking id, trip id)."""
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": vehicle, "start": "now", "end": at(minutes / 60)},
        headers=headers,
    )
    assert r.status_code == 201, r.get_json()
    booking = r.get_json()["id"]
    r = client.post(f"/api/v1/bookings/{booking}/start", headers=headers)
    assert r.status_code == 201, r.get_json()
    return booking, r.get_json()["id"]


def test_vehicle_page_lists_every_price_and_the_range_at_pickup(client, ids):
    bike = client.get(f"/vehicles/{ids['bike']}").get_data(as_text=True)
    prices = bike[
        bike.index('id="price-list"') : bike.index("</table>", bike.index('id="price-list"'))
    ]
    assert "Unlock fee, per trip" in prices and "€1.20" in prices
    assert (
        "Per minute of use" in prices and "€0.18" in prices and "billed in steps of 1 min" in prices
    )
    assert "Daily maximum" in prices and "€24.00" in prices
    assert "Prices include VAT at 20 %." in bike
    assert "about 42 km" in bike and "battery 60 %" in bike  # BIKE-101: 60 % of 70 km
    car = client.get(f"/vehicles/{ids['car']}", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "0,36\xa0€" in car and "0,30\xa0€" in car and "72,00\xa0€" in car
    assert "E-13,3" not in car and "13,3 kWh" in car and "331 km" in car


def test_a_paid_cancellation_asks_to_confirm_its_fee_a_free_one_does_not(client, citizen, ids, db):
    soon = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["bike"], "start": at(0.4), "end": at(1.4)},
        headers=citizen,
    ).get_json()["id"]
    later = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car"], "start": at(5), "end": at(6)},
        headers=citizen,
    ).get_json()["id"]
    token = _login(client)
    listing = client.get("/bookings").get_data(as_text=True)
    assert "Cancel (fee €5.00)…" in listing and "Cancel (free)" in listing
    r = client.post(f"/bookings/{soon}/cancel", data={"csrf_token": token, "accept_fee_minor": "0"})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Cancelling now costs €5.00" in page
    assert "Yes, cancel and pay €5.00" in page and 'name="accept_fee_minor" value="500"' in page
    with db.sessions() as s:
        assert s.get(Booking, soon).status == "confirmed"  # nothing happened yet
    r = client.post(
        f"/bookings/{soon}/cancel", data={"csrf_token": token, "accept_fee_minor": "500"}
    )
    assert r.status_code == 302
    assert "Cancelled. Fee: €5.00." in client.get("/bookings").get_data(as_text=True)
    r = client.post(
        f"/bookings/{later}/cancel", data={"csrf_token": token, "accept_fee_minor": "0"}
    )
    assert r.status_code == 302
    assert "Cancelled, free of charge." in client.get("/bookings").get_data(as_text=True)
    with db.sessions() as s:
        assert [s.get(Booking, i).cancel_fee_minor for i in (soon, later)] == [500, 0]


def test_cancellation_api_tells_the_fee_and_holds_to_the_accepted_one(client, citizen, ids):
    soon = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["bike"], "start": at(0.4), "end": at(1.4)},
        headers=citizen,
    ).get_json()["id"]
    fee = client.get(f"/api/v1/bookings/{soon}/cancellation", headers=citizen).get_json()
    assert fee == {"booking_id": soon, "fee_minor": 500, "currency": "EUR", "free": False}
    r = client.post(
        f"/api/v1/bookings/{soon}/cancel", json={"accept_fee_minor": 0}, headers=citizen
    )
    assert r.status_code == 409 and r.get_json()["error"] == "fee_not_accepted"
    assert r.get_json()["details"]["fee_minor"] == 500
    r = client.post(
        f"/api/v1/bookings/{soon}/cancel", json={"accept_fee_minor": 500}, headers=citizen
    )
    assert r.status_code == 200 and r.get_json()["booking"]["status"] == "cancelled"


def test_extend_a_trip_from_its_page_and_the_api(client, citizen, ids, db):
    booking, _trip = _ride(client, citizen, ids["bike"])
    token = _login(client)
    page = client.get("/trip").get_data(as_text=True)
    assert 'id="trip-live"' in page and "Price so far" in page and "Extend the booking" in page
    r = client.post(f"/bookings/{booking}/extend", data={"csrf_token": token, "minutes": "7"})
    body = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="minutes-error"' in body and "Choose how much time" in body
    with db.sessions() as s:
        before = s.get(Booking, booking)
    r = client.post(f"/bookings/{booking}/extend", data={"csrf_token": token, "minutes": "30"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/trip")
    assert "Extended until" in client.get("/trip").get_data(as_text=True)
    r = client.post(f"/api/v1/bookings/{booking}/extend", json={"minutes": 60}, headers=citizen)
    assert r.status_code == 200, r.get_json()
    with db.sessions() as s:
        after = s.get(Booking, booking)
    assert after.end_at == before.end_at + timedelta(minutes=90) and after.status == "active"
    # Someone books the vehicle right after: a longer extension is refused, said by the field.
    other = token_for(client.application.test_client(), "driver@example.org")
    start = (after.block_end_at + timedelta(minutes=1)).isoformat()
    end = (after.block_end_at + timedelta(hours=1)).isoformat()
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["bike"], "start": start, "end": end},
        headers=other,
    )
    assert r.status_code == 201, r.get_json()
    r = client.post(f"/bookings/{booking}/extend", data={"csrf_token": token, "minutes": "15"})
    assert r.status_code == 409 and "already booked" in r.get_data(as_text=True)
    r = client.post(f"/api/v1/bookings/{booking}/extend", json={"minutes": 15}, headers=citizen)
    assert r.status_code == 409 and r.get_json()["error"] == "slot_taken"


def test_live_trip_price_grows_with_time_and_stops_at_the_end(client, citizen, ids, db):
    _booking, trip = _ride(client, citizen, ids["bike"])
    first = client.get(f"/api/v1/trips/{trip}/live", headers=citizen).get_json()
    assert first["status"] == "active" and first["elapsed_s"] < 60
    # The unlock fee, plus each minute begun (billed by the minute), VAT included.
    assert first["price_minor"] in (120, 120 + 18)
    ride_for(db, 20, trip)
    later = client.get(f"/api/v1/trips/{trip}/live", headers=citizen).get_json()
    assert 1200 <= later["elapsed_s"] < 1260
    assert later["price_minor"] in (120 + 18 * 20, 120 + 18 * 21)
    assert later["price_text"] == f"€{later['price_minor'] / 100:.2f}"
    fr = client.get(f"/api/v1/trips/{trip}/live", headers={**citizen, "Accept-Language": "fr"})
    assert fr.get_json()["price_text"] == f"{fr.get_json()['price_minor'] / 100:.2f}\xa0€".replace(
        ".", ","
    )
    r = client.post(
        f"/api/v1/trips/{trip}/end", json={"end_soc": 55, "distance_km": 3}, headers=citizen
    )
    assert r.status_code == 200
    ended = client.get(f"/api/v1/trips/{trip}/live", headers=citizen).get_json()
    assert (
        ended["status"] == "ended" and ended["price_minor"] == r.get_json()["trip"]["price_minor"]
    )
    other = token_for(client, "driver@example.org")
    assert client.get(f"/api/v1/trips/{trip}/live", headers=other).status_code == 404


def test_report_damage_with_a_photo_and_operators_see_it(client, citizen, ids, db, app):
    _booking, trip = _ride(client, citizen, ids["bike"])
    token = _login(client)
    form = client.get(f"/vehicles/{ids['bike']}/report?trip_id={trip}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'for="photo"' in form
    bad = client.post(
        f"/vehicles/{ids['bike']}/report",
        data={
            "csrf_token": token,
            "trip_id": str(trip),
            "category": "brakes",
            "description": "Rear brake does not grip",
            "photo": (io.BytesIO(b"<svg onload=alert(1)>"), "brake.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="photo-error"' in page and "JPEG, PNG or WebP" in page
    assert "Rear brake does not grip</textarea>" in page and 'value="brakes" selected' in page
    good = client.post(
        f"/vehicles/{ids['bike']}/report",
        data={
            "csrf_token": token,
            "trip_id": str(trip),
            "category": "brakes",
            "description": "Rear brake does not grip",
            "photo": (io.BytesIO(JPEG), "brake.heic", "application/octet-stream"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("/trip")
    with db.sessions() as s:
        report = s.scalar(select(ProblemReport))
    assert (report.category, report.safety, report.trip_id) == ("brakes", True, trip)
    assert (report.photo_type, report.photo_bytes) == ("image/jpeg", len(JPEG))
    operator = token_for(client.application.test_client(), "operator@example.org")
    assert client.get("/api/v1/operator/problem-reports", headers=citizen).status_code == 403
    listed = client.get("/api/v1/operator/problem-reports?status=open", headers=operator).get_json()
    assert listed["total"] == 1 and listed["items"][0]["vehicle_code"] == "BIKE-101"
    assert listed["items"][0]["safety"] is True and listed["items"][0]["has_photo"] is True
    photo = client.get(f"/api/v1/operator/problem-reports/{report.id}/photo", headers=operator)
    assert photo.status_code == 200 and photo.data == JPEG and photo.mimetype == "image/jpeg"
    assert photo.headers["X-Content-Type-Options"] == "nosniff"
    # Filed through the API too, without a photo.
    r = client.post(
        f"/api/v1/vehicles/{ids['car']}/reports",
        data={"category": "dirty", "description": "Crumbs everywhere"},
        headers=citizen,
    )
    assert r.status_code == 201 and r.get_json()["has_photo"] is False


def test_operator_puts_a_reported_vehicle_in_maintenance_from_the_console(client, citizen, ids, db):
    r = client.post(
        f"/api/v1/vehicles/{ids['car']}/reports",
        data={"category": "damage", "description": "Cracked windscreen", "unsafe": "yes"},
        headers=citizen,
    )
    report = r.get_json()["id"]
    token = _login(client, "operator@example.org")
    page = client.get("/console/reports").get_data(as_text=True)
    assert (
        "Cracked windscreen" in page and "unsafe" in page and "Put CAR-101 in maintenance" in page
    )
    r = client.post(
        f"/console/reports/{report}/maintenance", data={"csrf_token": token, "reason": ""}
    )
    assert r.status_code == 422
    r = client.post(
        f"/console/reports/{report}/maintenance", data={"csrf_token": token, "reason": "windscreen"}
    )
    assert r.status_code == 303
    r = client.post(f"/console/reports/{report}/resolve", data={"csrf_token": token})
    assert r.status_code == 303
    with db.sessions() as s:
        assert s.get(Vehicle, ids["car"]).state == "maintenance"
        assert s.get(ProblemReport, report).status == "resolved"
        actions = s.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["vehicle.maintenance", "report.resolve"]
    # Nobody can book it now.
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car"], "start": at(2), "end": at(3)},
        headers=citizen,
    )
    assert r.status_code == 409


def test_a_vehicle_on_a_trip_is_not_sent_to_maintenance(client, citizen, ids, db):
    _ride(client, citizen, ids["bike"])
    r = client.post(
        f"/api/v1/vehicles/{ids['bike']}/reports", data={"category": "brakes"}, headers=citizen
    )
    token = _login(client, "operator@example.org")
    r = client.post(
        f"/console/reports/{r.get_json()['id']}/maintenance",
        data={"csrf_token": token, "reason": "brakes"},
    )
    assert r.status_code == 409 and "on a trip" in r.get_data(as_text=True)
    with db.sessions() as s:
        assert s.get(Vehicle, ids["bike"]).state == "in_use"
    assert utcnow()  # the clock module is the one the services use


def test_times_are_shown_in_the_hub_timezone_once(app):
    from datetime import UTC, datetime

    from mobility.web.i18n import local_time

    noon_utc = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert local_time(noon_utc, "Europe/Paris") == "15/01/2026 13:00"
        assert local_time(noon_utc, "Europe/Vienna") == "15/01/2026 13:00"
        assert local_time(noon_utc, "Europe/London") == "15/01/2026 12:00"
