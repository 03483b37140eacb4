"""Citizen JSON API end to end: register, search, quote, book, ride, receipt; bad input."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from openapi_spec_validator import validate
from sqlalchemy import func, select, update
from werkzeug.serving import make_server

from mobility.clock import utcnow
from mobility.models import ApiToken, Booking, Invoice, Tariff, TariffScope, Vehicle
from tests.e2e.booking.conftest import at, register_confirmed, ride_for, token_for
from tests.support.openapi_check import check_documented


def test_register_login_book_ride_and_get_receipt(client, ids, db, mailer):
    register_confirmed(client, mailer, "Nina@Example.org", "correct horse battery", "Nina")
    h = token_for(client, "nina@example.org", "correct horse battery")
    r = client.get(f"/api/v1/vehicles?hub_id={ids['hub']}&kind=ebike&min_soc=50", headers=h)
    found = r.get_json()["items"]
    assert found and all(v["kind"] == "ebike" and v["soc_percent"] >= 50 for v in found)
    bike = ids["bike"]
    r = client.post(
        "/api/v1/quotes", json={"vehicle_id": bike, "start": at(0), "end": at(0.5)}, headers=h
    )
    assert r.status_code == 200 and r.get_json()["total_minor"] == 660
    r = client.post(
        "/api/v1/bookings", json={"vehicle_id": bike, "start": "now", "end": at(0.5)}, headers=h
    )
    assert r.status_code == 201
    booking = r.get_json()
    r = client.post(f"/api/v1/bookings/{booking['id']}/start", headers=h)
    assert r.status_code == 201
    trip = r.get_json()
    r = client.post(
        f"/api/v1/trips/{trip['id']}/end",
        json={"hub_id": ids["hub2"], "end_soc": 55, "distance_km": "2.4"},
        headers=h,
    )
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "distance_km"
    ride_for(db, trip_id=trip["id"], minutes=20)
    r = client.post(
        f"/api/v1/trips/{trip['id']}/end",
        json={"hub_id": ids["hub2"], "end_soc": 55, "distance_km": "2.4"},
        headers=h,
    )
    assert r.status_code == 200
    body = r.get_json()
    assert body["trip"]["status"] == "ended" and body["trip"]["end_hub_id"] == ids["hub2"]
    assert body["receipt"]["number"].startswith("INV-") and body["receipt"]["total_minor"] >= 120
    again = client.post(
        f"/api/v1/trips/{trip['id']}/end", json={"hub_id": ids["hub2"], "end_soc": 55}, headers=h
    )
    assert again.get_json()["receipt"]["number"] == body["receipt"]["number"]
    r = client.get(f"/api/v1/trips/{trip['id']}/receipt", headers=h)
    assert r.get_json()["number"] == body["receipt"]["number"]
    assert client.get("/api/v1/trips", headers=h).get_json()["total"] == 1
    r = client.get(f"/api/v1/vehicles/{bike}")
    assert r.get_json()["hub_id"] == ids["hub2"] and r.get_json()["soc_percent"] == 55


def test_trip_readings_are_bounded_and_the_vehicle_returns_to_its_hub(client, citizen, ids, db):
    car = ids["car"]
    with db.sessions() as s:
        vehicle = s.get(Vehicle, car)
        home, odometer, soc = vehicle.hub_id, vehicle.odometer_km, vehicle.soc_percent
    r = client.post(
        "/api/v1/bookings", json={"vehicle_id": car, "start": "now", "end": at(1)}, headers=citizen
    )
    trip = client.post(f"/api/v1/bookings/{r.get_json()['id']}/start", headers=citizen).get_json()
    ride_for(db, trip_id=trip["id"], minutes=60)
    end = f"/api/v1/trips/{trip['id']}/end"
    cases = [
        ({"end_soc": soc + 10}, "end_soc"),  # the battery cannot gain charge on a trip
        ({"end_soc": soc - 20, "end_odometer_km": str(odometer - 1)}, "end_odometer"),
        ({"end_soc": soc - 20, "distance_km": "400"}, "distance_km"),  # not in an hour
        ({"end_soc": soc - 20, "distance_km": "1"}, "distance_km"),  # 20% used for 1 km?
        ({"end_soc": soc - 20, "distance_km": "NaN"}, "distance_km"),
    ]
    for body, field in cases:
        r = client.post(end, json=body, headers=citizen)
        assert r.status_code == 422 and r.get_json()["details"]["field"] == field, body
    # 20% of a 390 km range is about 78 km: fine, and no hub named means back where it started.
    r = client.post(end, json={"end_soc": soc - 20, "distance_km": "70"}, headers=citizen)
    assert r.status_code == 200 and r.get_json()["trip"]["end_hub_id"] == home
    assert r.get_json()["trip"]["distance_km"] in ("70", "70.0", 70)


def test_overlapping_booking_is_refused_and_buffer_is_kept(client, citizen, ids):
    car = ids["car"]
    r = client.post(
        "/api/v1/bookings", json={"vehicle_id": car, "start": at(2), "end": at(3)}, headers=citizen
    )
    assert r.status_code == 201
    clash = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": car, "start": at(2.5), "end": at(4)},
        headers=citizen,
    )
    assert clash.status_code == 409 and clash.get_json()["error"] == "slot_taken"
    in_buffer = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": car, "start": at(3.05), "end": at(4)},
        headers=citizen,
    )
    assert in_buffer.status_code == 409
    after = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": car, "start": at(3.25), "end": at(4)},
        headers=citizen,
    )
    assert after.status_code == 201


def test_cancel_free_before_cutoff_fee_after_and_modify(client, citizen, ids):
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car"], "start": at(5), "end": at(6)},
        headers=citizen,
    )
    b = r.get_json()
    r = client.patch(
        f"/api/v1/bookings/{b['id']}", json={"start": at(5), "end": at(7)}, headers=citizen
    )
    assert r.status_code == 200 and r.get_json()["quote_minor"] > b["quote_minor"]
    r = client.post(f"/api/v1/bookings/{b['id']}/cancel", headers=citizen)
    assert r.status_code == 200 and r.get_json()["booking"]["cancel_fee_minor"] == 0
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car"], "start": at(0.5), "end": at(1.5)},
        headers=citizen,
    )
    late = r.get_json()
    r = client.post(f"/api/v1/bookings/{late['id']}/cancel", headers=citizen)
    assert r.get_json()["booking"]["cancel_fee_minor"] == 500 and r.get_json()["fee_invoice"]
    r = client.post(f"/api/v1/bookings/{late['id']}/cancel", headers=citizen)
    assert r.status_code == 409
    # The list shows what was charged (the fee, collected from the hold), not the quote.
    mine = client.get("/api/v1/bookings", headers=citizen).get_json()["items"]
    charged = {x["id"]: x["charged"] for x in mine}
    assert charged[b["id"]] is None
    fee = charged[late["id"]]
    assert fee["kind"] == "cancellation" and fee["invoiced_minor"] == 500
    assert fee["collected_minor"] == 500 and fee["status"] == "paid"
    r = client.get(f"/api/v1/bookings/{late['id']}/receipt", headers=citizen)
    assert r.status_code == 200 and r.get_json()["number"] == fee["invoice"]
    assert client.get(f"/api/v1/bookings/{b['id']}/receipt", headers=citizen).status_code == 404


def test_min_state_of_charge_is_enforced_at_start(client, citizen, ids):
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car_low"], "start": "now", "end": at(1), "min_soc": 80},
        headers=citizen,
    )
    booking = r.get_json()
    r = client.post(f"/api/v1/bookings/{booking['id']}/start", headers=citizen)
    assert r.status_code == 409 and r.get_json()["error"] == "insufficient_charge"
    assert "55%" in r.get_json()["message"]


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"vehicle_id": "x", "end": "2030-01-01T10:00:00Z"}, 422, "vehicle_id"),
        ({"vehicle_id": 1, "end": "tomorrow"}, 422, "end"),
        (
            {"vehicle_id": 1, "start": "2020-01-01T10:00:00Z", "end": "2020-01-01T11:00:00Z"},
            422,
            "start",
        ),
        ({"vehicle_id": 99999, "end": "2099-01-01T10:00:00Z"}, 422, "end"),
    ],
)
def test_bad_booking_input_gets_clear_errors_and_creates_nothing(
    client, citizen, db, payload, status, field
):
    r = client.post("/api/v1/bookings", json=payload, headers=citizen)
    body = r.get_json()
    assert r.status_code == status and body["error"] == "validation_failed"
    assert body["details"]["field"] == field and body["message"]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 0


def test_auth_errors_and_wrong_passwords(client, ids):
    assert client.post("/api/v1/bookings", json={}).status_code == 401
    r = client.post("/api/v1/tokens", json={"email": "citizen@example.org", "password": "nope"})
    assert r.status_code == 401 and r.get_json()["message"] == "Wrong email or password."
    r = client.post("/api/v1/tokens", json={"email": "ghost@example.org", "password": "nope"})
    assert r.get_json()["message"] == "Wrong email or password."
    r = client.post("/api/v1/accounts", json={"email": "bad", "password": "x", "full_name": "B"})
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "email"
    r = client.post(
        "/api/v1/accounts",
        json={"email": "citizen@example.org", "password": "long enough pw", "full_name": "C"},
    )
    assert r.status_code == 202  # the same answer as for a new address (tests/.../test_signup.py)
    r = client.post("/api/v1/tokens", data="not json", content_type="text/plain")
    assert r.status_code == 422


def test_revoked_and_expired_tokens_are_refused(client, db, ids, monkeypatch):
    h = token_for(client, "citizen@example.org")
    assert client.get("/api/v1/me", headers=h).status_code == 200  # now cached in the process
    assert client.delete("/api/v1/tokens/current", headers=h).status_code == 204
    r = client.get("/api/v1/me", headers=h)
    assert r.status_code == 401 and r.get_json()["error"] == "unauthorized"
    with db.sessions() as s:
        token = s.scalar(select(ApiToken).where(ApiToken.revoked_at.is_not(None)))
        assert token is not None and token.last_used_at is not None
    h2 = token_for(client, "citizen@example.org")
    with db.transaction() as s:
        s.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/me", headers=h2).status_code == 401
    # A cached identity keeps its expiry: once past it, the token stops working at once.
    h3 = token_for(client, "citizen@example.org")
    assert client.get("/api/v1/me", headers=h3).status_code == 200
    later = utcnow() + timedelta(days=91)
    monkeypatch.setattr("mobility.web.auth.utcnow", lambda: later)
    assert client.get("/api/v1/me", headers=h3).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_card_setup_is_refused_when_payments_run_offline(client, citizen):
    r = client.post("/api/v1/me/card", headers=citizen)
    assert r.status_code == 409 and "offline" in r.get_json()["message"]
    assert client.get("/api/v1/me", headers=citizen).get_json()["card_saved"] is False


def test_login_is_rate_limited(client):
    codes = [
        client.post("/api/v1/tokens", json={"email": "x@example.org", "password": "p"}).status_code
        for _ in range(12)
    ]
    assert codes[:10] == [401] * 10 and codes[-1] == 429


def test_other_users_bookings_are_invisible(client, citizen, ids):
    r = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["bike"], "start": at(8), "end": at(9)},
        headers=citizen,
    )
    other = token_for(client, "driver@example.org")
    bid = r.get_json()["id"]
    assert client.get(f"/api/v1/bookings/{bid}", headers=other).status_code == 404
    assert client.post(f"/api/v1/bookings/{bid}/cancel", headers=other).status_code == 404


def _c(kind: str, price: str, step: int) -> dict:
    return {"type": kind, "price": price, "vat": "20", "step_size": step}


def test_vehicle_detail_has_the_price_list_and_range_the_page_shows(client, ids, db):
    with db.transaction() as s:
        tariff = Tariff(
            code="CAR-NIGHT",
            name="E-car with cheaper nights",
            scope=TariffScope.ECAR,
            currency="EUR",
            elements=[
                {"price_components": [_c("FLAT", "2.00", 0)]},
                {
                    "price_components": [_c("TIME", "6.00", 60)],
                    "restrictions": {"start_time": "22:00", "end_time": "06:00"},
                },
                {"price_components": [_c("TIME", "18.00", 60), _c("DISTANCE", "0.25", 100)]},
                {"price_components": [_c("PARKING_TIME", "3.00", 300)]},
            ],
            daily_cap_excl_vat=Decimal("60"),
            min_price_excl_vat=Decimal("3"),
            max_price_excl_vat=Decimal("100"),
        )
        s.add(tariff)
        s.flush()
        s.get(Vehicle, ids["car"]).tariff_id = tariff.id
    body = client.get(f"/api/v1/vehicles/{ids['car']}").get_json()
    check_documented("get", "/api/v1/vehicles/{vehicle_id}", body)
    prices = body["prices"]
    assert prices["tariff"] == "CAR-NIGHT" and prices["currency"] == "EUR"
    shown = [(c["dimension"], c["unit"], c["price_incl_vat"]) for c in prices["components"]]
    assert shown == [
        ("FLAT", "trip", "2.40"),
        ("TIME", "minute", "0.12"),
        ("TIME", "minute", "0.36"),
        ("DISTANCE", "km", "0.30"),
        ("PARKING_TIME", "minute", "0.06"),
    ]
    night = prices["components"][1]
    assert night["restrictions"] == {"start_time": "22:00", "end_time": "06:00"}
    assert prices["components"][2]["restrictions"] is None
    caps = {c["kind"]: (c["amount_incl_vat"], c["amount_excl_vat"]) for c in prices["caps"]}
    assert caps == {
        "daily_cap": ("72.00", "60.00"),
        "min_price": ("3.60", "3.00"),
        "max_price": ("120.00", "100.00"),
    }
    assert prices["vat_percents"] == ["20"]
    assert body["pickup"]["source"] == "last_reading"
    assert (body["pickup"]["soc_percent"], body["pickup"]["range_km"]) == (85, 331)
    # The page lists the same figures.
    page = client.get(f"/vehicles/{ids['car']}").get_data(as_text=True)
    listed = page[page.index('id="price-list"') : page.index("</table>", page.index("price-list"))]
    for figure in ("2.40", "0.12", "0.36", "0.30", "0.06", "72.00", "3.60", "120.00"):
        assert f"€{figure}" in listed
    assert "about 331 km" in page


def test_vehicle_detail_checks_its_pickup_time_and_vehicle(client, ids):
    r = client.get(f"/api/v1/vehicles/{ids['bike']}", query_string={"start": "tomorrow"})
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "start"
    check_documented("get", "/api/v1/vehicles/{vehicle_id}", r.get_json(), 422)
    past = client.get(f"/api/v1/vehicles/{ids['bike']}", query_string={"start": at(-5)})
    assert past.status_code == 200
    assert past.get_json()["pickup"]["at"] > at(-0.1)  # a past start means now
    assert client.get("/api/v1/vehicles/999999").status_code == 404


def test_openapi_document_is_valid(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)
    assert "/api/v1/bookings" in doc["paths"]


# JSON APIs this document does not describe yet: everything else under /api/v1 must be in it.
UNDESCRIBED = ("/api/v1/fleet/", "/api/v1/energy/")


def test_openapi_document_covers_every_api_route_and_nothing_else(app):
    served = {
        (method.lower(), re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and not rule.rule.startswith(UNDESCRIBED)
        and rule.endpoint != "api.openapi"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {(method, path) for path, ops in doc["paths"].items() for method in ops}
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"
    assert ("get", "/api/v1/operator/chargers/{cp_id}/device-events") in documented


def test_concurrent_clients_never_double_book(app, db, ids):
    # Real HTTP clients in parallel threads against a threaded server, all for the same slot.
    from tests.e2e.booking.conftest import token_for as tok

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = app.test_client()
    headers = [
        tok(client, e)
        for e in (
            "citizen@example.org",
            "driver@example.org",
            "fleet-admin@example.org",
            "operator@example.org",
        )
    ]
    import json
    import urllib.error
    import urllib.request

    start, end = at(30), at(31)

    def attempt(i):
        req = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}/api/v1/bookings",
            data=json.dumps({"vehicle_id": ids["car"], "start": start, "end": end}).encode(),
            headers={**headers[i % 4], "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(attempt, range(24)))
    finally:
        server.shutdown()
    assert codes.count(201) == 1 and codes.count(409) == 23
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Booking)) == 1
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0


def test_quotes_use_a_company_price_only_for_its_members(client, citizen, ids, db):
    from mobility.models import Company

    with db.sessions() as s:
        company = s.scalar(select(Company)).id
    body = {"vehicle_id": ids["car"], "start": at(2), "end": at(3), "company_id": company}
    r = client.post("/api/v1/quotes", json=body, headers=citizen)
    assert r.status_code == 403 and r.get_json()["error"] == "forbidden"
    driver = token_for(client, "driver@example.org")
    assert client.post("/api/v1/quotes", json=body, headers=driver).status_code == 200
