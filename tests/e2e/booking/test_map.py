"""The map page and its JSON through the Flask client: availability, near me, ETags."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select, update

from mobility.clock import utcnow
from mobility.models import Booking, Charger, Connector, Hub, User, Vehicle


def _hub(doc, slug_name: str):
    return next(h for h in doc["hubs"] if h["name"] == slug_name)


def test_places_json_counts_what_is_free_now(app, client, db, ids):
    app.config["MAP_CACHE_SECONDS"] = 0  # read the database on every request
    doc = client.get("/map/places.json").get_json()
    assert doc["origin"] is None
    assert [h["name"] for h in doc["hubs"]] == sorted(h["name"] for h in doc["hubs"])
    nautique = next(h for h in doc["hubs"] if h["id"] == ids["hub"])
    assert nautique["available"] == {"ebike": 4, "ecar": 2}
    assert nautique["url"] == f"/search?hub_id={ids['hub']}"
    assert {v["code"] for v in nautique["vehicles"]} >= {"BIKE-101", "CAR-101"}
    bike = next(v for v in nautique["vehicles"] if v["code"] == "BIKE-101")
    assert bike["url"] == f"/vehicles/{ids['bike']}" and bike["range_km"] == 42
    [charger] = nautique["chargers"]
    assert charger["id"] == "CP-LYON-001" and charger["url"] == "/chargers/CP-LYON-001"
    # Never connected: offline, nothing free.
    assert (charger["online"], charger["free"], charger["total"]) == (False, 0, 2)
    _busy_morning(db, ids)
    nautique = next(
        h for h in client.get("/map/places.json").get_json()["hubs"] if h["id"] == ids["hub"]
    )
    assert nautique["available"] == {"ebike": 3, "ecar": 1}
    assert "CAR-101" not in {v["code"] for v in nautique["vehicles"]}
    [charger] = nautique["chargers"]
    assert (charger["online"], charger["free"]) == (True, 1)
    assert [c["state"] for c in charger["connectors"]] == ["free", "busy"]


def _busy_morning(db, ids) -> None:
    """A booking now, a bike in maintenance, the charger online with one connector free."""
    with db.transaction() as s:
        user_id = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
        now = utcnow()
        s.add(
            Booking(
                user_id=user_id,
                vehicle_id=ids["car"],
                start_at=now,
                end_at=now + timedelta(hours=1),
                block_end_at=now + timedelta(hours=1, minutes=10),
                status="confirmed",
                quote_minor=100,
                currency="EUR",
            )
        )
        s.execute(update(Vehicle).where(Vehicle.code == "BIKE-102").values(state="maintenance"))
        cp = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        cp.is_online = True
        s.execute(update(Connector).where(Connector.charger_id == cp.id).values(status="Available"))
        s.execute(
            update(Connector)
            .where(Connector.charger_id == cp.id, Connector.connector_id == 2)
            .values(status="Charging")
        )


def test_places_json_is_cacheable_with_an_etag(client):
    r = client.get("/map/places.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["ETag"] and "public" in r.headers["Cache-Control"]
    assert "max-age=15" in r.headers["Cache-Control"]
    again = client.get("/map/places.json", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_places_are_read_again_once_the_cache_expires(app, client, db, ids):
    app.config["MAP_CACHE_SECONDS"] = 0.5
    first = client.get("/map/places.json")
    with db.transaction() as s:
        s.execute(update(Vehicle).where(Vehicle.code == "BIKE-101").values(state="maintenance"))
    cached = client.get("/map/places.json")
    assert cached.data == first.data  # within the cache's seconds: the same document
    time.sleep(0.6)
    fresh = client.get("/map/places.json").get_json()
    nautique = next(h for h in fresh["hubs"] if h["id"] == ids["hub"])
    assert nautique["available"]["ebike"] == 3
    assert client.get("/map").status_code == 200


def test_near_me_sorts_by_distance_in_the_json_and_the_page(client, db):
    with db.sessions() as s:
        perrache = s.scalar(select(Hub).where(Hub.slug == "perrache"))
        here = (float(perrache.latitude) + 0.0005, float(perrache.longitude))
    doc = client.get(f"/map/places.json?lat={here[0]}&lon={here[1]}").get_json()
    assert doc["origin"] == {"lat": here[0], "lon": here[1]}
    assert doc["hubs"][0]["name"] == perrache.name
    distances = [h["distance_m"] for h in doc["hubs"]]
    assert distances == sorted(distances) and 50 <= distances[0] <= 60
    html = client.get(f"/map?lat={here[0]}&lon={here[1]}").get_data(as_text=True)
    assert "Nearest hubs and chargers" in html
    first = html.index(f'data-hub="{perrache.id}"')
    assert all(first <= html.index(f'data-hub="{h["id"]}"') for h in doc["hubs"])
    assert ">60 m</span>" in html or ">50 m</span>" in html
    # Nonsense positions are ignored, not an error.
    assert client.get("/map?lat=999&lon=abc").status_code == 200
    assert client.get("/map/places.json?lat=999&lon=1").get_json()["origin"] is None


def test_the_map_page_works_without_script_and_names_its_tiles(client, app):
    html = client.get("/map").get_data(as_text=True)
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "OpenStreetMap" in html
    assert "/static/booking/vendor/leaflet/leaflet.js" in html
    assert "/static/booking/vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "4 e-bikes free · 2 e-cars free" in " ".join(html.split())
    assert "/chargers/CP-LYON-001" in html
    for asset in (
        "/static/booking/vendor/leaflet/leaflet.js",
        "/static/booking/vendor/leaflet/leaflet.css",
        "/static/booking/vendor/leaflet/LICENSE",
        "/static/booking/vendor/leaflet.markercluster/MIT-LICENCE.txt",
        "/static/booking/places.js",
    ):
        assert client.get(asset).status_code == 200, asset
    # Linked from the menu and the front page.
    assert 'href="/map"' in client.get("/").get_data(as_text=True)


def test_no_tiles_setting(db, settings):
    from mobility.app import create_app

    app = create_app(settings.with_(map_tile_url="none"), db=db)
    html = app.test_client().get("/map").get_data(as_text=True)
    assert 'data-tiles=""' in html


def test_in_french(client):
    client.get("/language/fr")
    html = " ".join(client.get("/map").get_data(as_text=True).split())
    assert "4 vélos électriques libres" in html
