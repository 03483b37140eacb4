"""Operators set sites up and read plans; bookings see the expected charge and are refused
trips the hub cannot charge the car for in time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from mobility.models import EnergySeries, Hub, Vehicle
from tests.e2e.booking.conftest import at, token_for


def _slot(hours: float) -> str:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    now -= timedelta(minutes=now.minute % 15)
    return (now + timedelta(hours=hours)).isoformat()


def _site(client, operator, ids, **terms):
    body = {"hub_id": ids["hub"], "grid_limit_kw": 11, **terms}
    r = client.post("/api/v1/energy/sites", json=body, headers=operator)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _home(client, operator, car_id, connector):
    r = client.put(
        f"/api/v1/energy/vehicles/{car_id}",
        json={"charger": "CP-LYON-001", "connector": connector, "max_charge_kw": 11},
        headers=operator,
    )
    assert r.status_code == 200, r.get_json()


def test_sites_are_for_operators_and_checked(client, ids):
    operator = token_for(client, "operator@example.org")
    citizen = token_for(client, "citizen@example.org")
    assert client.get("/api/v1/energy/sites", headers=citizen).status_code == 403
    for bad in ({"grid_limit_kw": -1}, {"grid_limit_kw": "nan"}, {"grid_limit_kw": True}, {}):
        r = client.post(
            "/api/v1/energy/sites", json={"hub_id": ids["hub"], **bad}, headers=operator
        )
        assert r.status_code == 422, bad
    site_id = _site(client, operator, ids, pv_peak_kwp=30)
    again = client.post(
        "/api/v1/energy/sites", json={"hub_id": ids["hub"], "grid_limit_kw": 5}, headers=operator
    )
    assert again.status_code == 409
    r = client.patch(
        f"/api/v1/energy/sites/{site_id}", json={"grid_limit_kw": 7.5}, headers=operator
    )
    assert r.status_code == 200 and r.get_json()["grid_limit_kw"] == "7.50"
    listed = client.get("/api/v1/energy/sites", headers=operator).get_json()["items"]
    assert [s["id"] for s in listed] == [site_id]


def test_series_import_then_plan_follows_the_pushed_limit(client, ids, db):
    operator = token_for(client, "operator@example.org")
    site_id = _site(client, operator, ids)
    _home(client, operator, ids["car_low"], 1)
    misaligned = client.put(
        f"/api/v1/energy/sites/{site_id}/series/limit",
        json={"values": [{"start": _slot(0)[:-9] + "07:00+00:00", "value": 3}]},
        headers=operator,
    )
    assert misaligned.status_code == 422
    limit = [{"start": _slot(h / 4), "value": 3 if h < 16 else 11} for h in range(96)]
    r = client.put(
        f"/api/v1/energy/sites/{site_id}/series/limit", json={"values": limit}, headers=operator
    )
    assert r.status_code == 200 and r.get_json() == {"stored": 96}
    prices = [{"start": _slot(h / 4), "value": 0.1 if 40 <= h < 60 else 0.3} for h in range(96)]
    client.put(
        f"/api/v1/energy/sites/{site_id}/series/price", json={"values": prices}, headers=operator
    )
    with db.sessions() as s:
        assert len(s.scalars(select(EnergySeries)).all()) == 192
    run = client.post(f"/api/v1/energy/sites/{site_id}/plan", headers=operator).get_json()
    assert run["plan_id"] and run["offline"] == ["CP-LYON-001/1", "CP-LYON-001/2"]
    plan = client.get(f"/api/v1/energy/sites/{site_id}/plan", headers=operator).get_json()["plan"]
    assert len(plan["load_kw"]) == 96
    assert all(
        load <= lim + 1e-6 for load, lim in zip(plan["load_kw"], plan["limit_kw"], strict=True)
    )
    assert max(plan["load_kw"][:16]) <= 3 + 1e-6  # the pushed limit holds for the first 4 h


def test_booking_sees_expected_charge_and_is_refused_an_impossible_trip(client, ids, db):
    operator = token_for(client, "operator@example.org")
    citizen = token_for(client, "citizen@example.org")
    with db.transaction() as s:
        s.get(Vehicle, ids["car_low"]).soc_percent = 10
    site_id = _site(client, operator, ids, grid_limit_kw=2)
    _home(client, operator, ids["car_low"], 1)
    assert client.post(f"/api/v1/energy/sites/{site_id}/plan", headers=operator).status_code == 200
    far = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car_low"], "start": at(1), "end": at(5), "expected_km": 250},
        headers=citizen,
    )
    assert far.status_code == 409, far.get_json()
    error = far.get_json()
    assert error["error"] == "not_enough_charge" and "choose another car" in error["message"]
    near = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car_low"], "start": at(10), "end": at(11), "expected_km": 5},
        headers=citizen,
    )
    assert near.status_code == 201, near.get_json()
    quote = client.post(
        "/api/v1/quotes",
        json={"vehicle_id": ids["car_low"], "start": at(8), "end": at(9)},
        headers=citizen,
    ).get_json()
    assert 10 <= quote["expected_soc_percent"] <= 100
    found = client.get(
        "/api/v1/vehicles",
        query_string={"start": at(8), "end": at(9), "hub_id": ids["hub"]},
        headers=citizen,
    ).get_json()["items"]
    car = next(v for v in found if v["id"] == ids["car_low"])
    assert car["expected_soc_percent"] >= 10 and car["expected_range_km"] > 0
    bike = next(v for v in found if v["kind"] == "ebike")
    assert "expected_soc_percent" not in bike


def test_vehicle_detail_gives_the_planned_charge_at_pickup_as_the_page_does(client, ids, db):
    operator = token_for(client, "operator@example.org")
    with db.transaction() as s:
        s.get(Vehicle, ids["car_low"]).soc_percent = 10
    site_id = _site(client, operator, ids, grid_limit_kw=11)
    _home(client, operator, ids["car_low"], 1)
    assert client.post(f"/api/v1/energy/sites/{site_id}/plan", headers=operator).status_code == 200
    start = datetime.fromisoformat(_slot(8))
    pickup = client.get(
        f"/api/v1/vehicles/{ids['car_low']}", query_string={"start": start.isoformat()}
    ).get_json()["pickup"]
    assert pickup["source"] == "charging_plan" and datetime.fromisoformat(pickup["at"]) == start
    quote = client.post(
        "/api/v1/quotes",
        json={"vehicle_id": ids["car_low"], "start": start.isoformat(), "end": _slot(9)},
        headers=token_for(client, "citizen@example.org"),
    ).get_json()
    assert pickup["soc_percent"] == quote["expected_soc_percent"]
    with db.sessions() as s:
        car = s.get(Vehicle, ids["car_low"])
        assert pickup["range_km"] == car.max_range_km * pickup["soc_percent"] // 100
        zone = ZoneInfo(s.get(Hub, car.hub_id).timezone)
    local = start.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
    page = client.get(f"/vehicles/{ids['car_low']}", query_string={"start": local})
    text = page.get_data(as_text=True)
    assert f"about {pickup['range_km']} km" in text and "under the hub's charging plan" in text


def test_plan_page_draws_load_limit_and_pv(client, ids):
    operator = token_for(client, "operator@example.org")
    site_id = _site(client, operator, ids, pv_peak_kwp=20)
    _home(client, operator, ids["car_low"], 1)
    client.post(f"/api/v1/energy/sites/{site_id}/plan", headers=operator)
    page = client.get(f"/energy/sites/{site_id}", headers=operator)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="plan-chart"' in html and 'class="load"' in html and 'class="limit"' in html
    citizen = token_for(client, "citizen@example.org")
    assert client.get(f"/energy/sites/{site_id}", headers=citizen).status_code == 403


def test_moving_a_booking_is_checked_without_its_old_slot(client, ids, db):
    operator = token_for(client, "operator@example.org")
    citizen = token_for(client, "citizen@example.org")
    with db.transaction() as s:
        s.get(Vehicle, ids["car_low"]).soc_percent = 10
    site_id = _site(client, operator, ids, grid_limit_kw=2)
    _home(client, operator, ids["car_low"], 1)
    client.post(f"/api/v1/energy/sites/{site_id}/plan", headers=operator)
    booked = client.post(
        "/api/v1/bookings",
        json={"vehicle_id": ids["car_low"], "start": at(20), "end": at(22), "expected_km": 60},
        headers=citizen,
    )
    assert booked.status_code == 201, booked.get_json()
    booking_id = booked.get_json()["id"]
    later = client.patch(
        f"/api/v1/bookings/{booking_id}", json={"start": at(21), "end": at(23)}, headers=citizen
    )
    assert later.status_code == 200, later.get_json()  # its own old slot does not count
    sooner = client.patch(
        f"/api/v1/bookings/{booking_id}", json={"start": at(1), "end": at(3)}, headers=citizen
    )
    assert sooner.status_code == 409 and sooner.get_json()["error"] == "not_enough_charge"
