"""GBFS feeds through the web app: schema-valid, private vehicles hidden, ids rotated, cached."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from mobility.app import create_app
from mobility.demo import seed_demo
from mobility.models import Company, Hub, Vehicle
from open_data.system import VERSIONS, feeds_of
from tests.e2e.booking.conftest import at, ride_for, token_for
from tests.support.gbfs import problems


@pytest.fixture
def app(db, settings):
    return create_app(settings.with_(gbfs_ttl=0), db=db)


@pytest.fixture
def client(app):
    return app.test_client()


def feed(client, version: str, name: str) -> dict:
    r = client.get(f"/gbfs/{version}/{name}.json")
    assert r.status_code == 200, r.data
    return r.get_json()


def assert_all_valid(client) -> None:
    for version in VERSIONS:
        for name in ("gbfs", "gbfs_versions", "manifest", *feeds_of(version)):
            doc = feed(client, version, name)
            assert problems(doc, version, name) == [], (version, name)
            assert doc["version"] == version


def statuses(client, version: str = "3.0") -> dict[str, dict]:
    return {v["vehicle_id"]: v for v in feed(client, version, "vehicle_status")["data"]["vehicles"]}


def public_id(db, code: str) -> str:
    with db.sessions() as s:
        return s.scalar(select(Vehicle.public_id).where(Vehicle.code == code))


def test_an_empty_system_publishes_valid_empty_feeds(client):
    assert_all_valid(client)
    assert feed(client, "3.0", "vehicle_status")["data"]["vehicles"] == []
    assert feed(client, "3.0", "station_information")["data"]["stations"] == []


def _edge_district(db) -> None:
    """The demo district plus every awkward case the feeds must handle."""
    seed_demo(db)
    square = [[4.8170, 45.7410], [4.8190, 45.7410], [4.8190, 45.7420], [4.8170, 45.7420]]
    with db.transaction() as s:
        company = s.scalar(select(Company))
        nautique = s.scalar(select(Hub).where(Hub.slug == "confluence-nautique"))
        nautique.return_zone = {"type": "Polygon", "coordinates": [square]}
        nautique.opening_hours = {"mon": [["06:00", "22:00"]], "sat": [["08:00", "24:00"]]}
        perrache = s.scalar(select(Hub).where(Hub.slug == "perrache"))
        perrache.is_active = False
        odd = Hub(
            slug="odd",
            name="Quai Perrache",
            latitude=Decimal("45.7412345"),
            longitude=Decimal("4.8179999"),
            capacity=0,
            city="Lyon",
        )
        s.add(odd)
        s.flush()
        cars = {v.code: v for v in s.scalars(select(Vehicle).where(Vehicle.kind == "ecar"))}
        cars["CAR-101"].visibility, cars["CAR-101"].owner_company_id = "fleet_only", company.id
        cars["CAR-102"].visibility, cars["CAR-102"].owner_company_id = "shared_hours", company.id
        cars["CAR-102"].public_hours = {"sun": [["03:00", "03:30"]]}
        cars["CAR-201"].state = "maintenance"
        cars["CAR-202"].state = "maintenance"
        cars["CAR-301"].hub_id = odd.id  # more vehicles than spaces: no negative free spaces


def test_every_feed_of_every_version_is_schema_valid_with_edge_cases(client, db):
    _edge_district(db)
    assert_all_valid(client)
    stations = {
        s["station_id"]: s for s in feed(client, "3.0", "station_information")["data"]["stations"]
    }
    odd = next(s for s in stations.values() if s["name"][0]["text"] == "Quai Perrache")
    # Stored at 6 decimals by the database; published as numbers with no more than that.
    assert odd["lat"] == pytest.approx(45.7412345, abs=1e-6)
    assert odd["lon"] == pytest.approx(4.8179999, abs=1e-6)
    assert all(len(repr(x).split(".")[-1]) <= 6 for x in (odd["lat"], odd["lon"]))
    assert [n["language"] for n in odd["name"]] == ["en", "fr", "de"]
    zones = feed(client, "3.0", "geofencing_zones")["data"]["geofencing_zones"]["features"]
    assert len(zones) == 1 and zones[0]["geometry"]["type"] == "MultiPolygon"
    alerts = feed(client, "3.0", "system_alerts")["data"]["alerts"]
    assert {a["type"] for a in alerts} == {"station_closure", "other"}
    status = {s["station_id"]: s for s in feed(client, "3.0", "station_status")["data"]["stations"]}
    closed = next(k for k, s in stations.items() if s["name"][0]["text"] == "Gare de Perrache")
    assert status[closed]["is_renting"] is False and status[closed]["is_returning"] is False
    odd_id = next(k for k, s in stations.items() if s is odd)
    assert status[odd_id]["num_docks_available"] == 0


def test_company_closed_hub_and_serviced_vehicles_are_never_available(client, db):
    _edge_district(db)
    shown = statuses(client)
    for code in ("CAR-101", "CAR-102"):  # fleet-only; shared hours outside its hours
        assert public_id(db, code) not in shown
    assert public_id(db, "BIKE-301") not in shown  # at the closed hub
    serviced = shown[public_id(db, "CAR-201")]
    assert serviced["is_disabled"] is True and serviced["is_reserved"] is False
    assert public_id(db, "BIKE-101") in shown
    availability = {
        v["vehicle_id"] for v in feed(client, "3.1-RC3", "vehicle_availability")["data"]["vehicles"]
    }
    assert (
        public_id(db, "CAR-101") not in availability
        and public_id(db, "CAR-201") not in availability
    )


def test_a_booked_vehicle_is_reserved_and_later_bookings_bound_availability(client, db):
    seed_demo(db)
    h = token_for(client, "citizen@example.org")
    with db.sessions() as s:
        bike, car = (
            s.scalar(select(Vehicle.id).where(Vehicle.code == c)) for c in ("BIKE-101", "CAR-101")
        )
    r = client.post(
        "/api/v1/bookings", json={"vehicle_id": bike, "start": "now", "end": at(1)}, headers=h
    )
    assert r.status_code == 201
    r = client.post(
        "/api/v1/bookings", json={"vehicle_id": car, "start": at(5), "end": at(6)}, headers=h
    )
    assert r.status_code == 201
    later = r.get_json()
    shown = statuses(client)
    assert shown[public_id(db, "BIKE-101")]["is_reserved"] is True
    car_status = shown[public_id(db, "CAR-101")]
    assert car_status["is_reserved"] is False and "available_until" in car_status
    windows = {
        v["vehicle_id"]: v["availabilities"]
        for v in feed(client, "3.1-RC3", "vehicle_availability")["data"]["vehicles"]
    }
    assert len(windows[public_id(db, "CAR-101")]) == 2, later
    assert "until" not in windows[public_id(db, "CAR-101")][-1]


def test_the_public_id_rotates_when_a_trip_ends(client, db):
    seed_demo(db)
    h = token_for(client, "citizen@example.org")
    before = public_id(db, "BIKE-101")
    assert before in statuses(client)
    with db.sessions() as s:
        bike = s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101"))
        hub = s.scalar(select(Hub.id).where(Hub.slug == "perrache"))
    booking = client.post(
        "/api/v1/bookings", json={"vehicle_id": bike, "start": "now", "end": at(0.5)}, headers=h
    ).get_json()
    trip = client.post(f"/api/v1/bookings/{booking['id']}/start", headers=h).get_json()
    assert before not in statuses(client)  # on a trip: not in the feed at all
    ride_for(db, trip_id=trip["id"], minutes=20)
    r = client.post(
        f"/api/v1/trips/{trip['id']}/end",
        json={"hub_id": hub, "end_soc": 55, "distance_km": "2.4"},
        headers=h,
    )
    assert r.status_code == 200
    after = public_id(db, "BIKE-101")
    shown = statuses(client)
    assert after != before and before not in shown and shown[after]["station_id"] == str(hub)


def test_etag_cache_control_gzip_and_304(client, db):
    seed_demo(db)
    r = client.get("/gbfs/3.0/vehicle_status.json")
    etag, cache = r.headers["ETag"], r.headers["Cache-Control"]
    assert (
        "public" in cache
        and "max-age=" in cache
        and r.headers["Access-Control-Allow-Origin"] == "*"
    )
    assert (
        client.get("/gbfs/3.0/vehicle_status.json", headers={"If-None-Match": etag}).status_code
        == 304
    )
    z = client.get("/gbfs/3.0/vehicle_status.json", headers={"Accept-Encoding": "gzip"})
    assert z.headers["Content-Encoding"] == "gzip" and z.headers["ETag"] != etag
    assert json.loads(gzip.decompress(z.data)) == r.get_json()
    with db.transaction() as s:
        s.execute(update(Vehicle).where(Vehicle.code == "BIKE-101").values(state="maintenance"))
    changed = client.get("/gbfs/3.0/vehicle_status.json", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get("/gbfs/3.0/nope.json").status_code == 404
    assert client.get("/gbfs/3.0/vehicle_availability.json").status_code == 404  # 3.1 only
    assert client.get("/gbfs/manifest.json").get_json()["version"] == "3.0"


def test_timestamps_are_rfc3339_with_offsets_and_ttl_is_the_setting(client, db):
    seed_demo(db)
    doc = feed(client, "3.0", "station_status")
    assert doc["ttl"] == 0 and doc["last_updated"][-6] in "+-"
    info = feed(client, "3.0", "system_information")["data"]
    assert info["languages"] == ["en", "fr", "de"] and info["timezone"] == "Europe/Paris"
    assert info["feed_contact_email"] == "no-reply@localhost"
