"""The map and citizen charging in a real headless Chromium at phone size, offline (no tiles)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.bus import InProcessBus
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import Hub
from tests.e2e.booking.live_charging import LiveCharger
from tests.support.browser import served

pytestmark = pytest.mark.browser


@pytest.fixture
def bus():
    return InProcessBus()


@pytest.fixture
def app(db, settings, bus):
    seed_demo(db)
    return create_app(settings, db=db, bus=bus, CHARGING_POLL_SECONDS=0.5)


@pytest.fixture
def live_url(app):
    with served(app) as url:
        yield url


@pytest.fixture
def offline(page):
    """No tile server is reachable: every tile request fails, as in CI."""
    tiles: list[str] = []

    def refuse(route):
        tiles.append(route.request.url)
        route.abort()

    page.route(re.compile(r"https?://tile\.openstreetmap\.org/.*"), refuse)
    return tiles


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width} px wide on a 390 px phone"


def _marker(page, name: str):
    """The hub's marker, zooming into its cluster first if it is clustered."""
    marker = page.locator(f'.leaflet-marker-icon.hub-pin[title^="{name}"]')
    for _ in range(5):
        if marker.count():
            return marker
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(400)
    raise AssertionError(f"no marker for {name}")


def test_find_a_vehicle_on_the_map_and_open_it(page, offline, live_url, db):
    page.goto(live_url + "/")
    page.get_by_role("link", name="Map", exact=True).click()
    page.locator("#map[data-ready=true]").wait_for()
    # Three hubs, each a marker (or a cluster of them) carrying its count of free vehicles.
    shown = page.locator(".leaflet-marker-icon.hub-pin").count()
    clustered = page.locator(".marker-cluster").count()
    assert shown + clustered >= 1 and page.locator(".leaflet-tile-loaded").count() == 0
    marker = _marker(page, "Place Nautique")
    assert marker.locator(".pin-count").inner_text() == "6"
    assert marker.locator(".pin-charge").inner_text() == "⚡0"  # the charger is offline
    marker.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert "4 e-bikes free · 2 e-cars free" in text
    assert "Place Nautique charger: charger offline" in text
    _no_sideways_scroll(page)
    # The popup may pan the map into view: click once it stands still.
    page.locator("#map:not([data-moving])").wait_for()
    popup.get_by_role("link", name="BIKE-101").click()
    page.wait_for_url(re.compile(r"/vehicles/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text().startswith("BIKE-101")
    assert offline, "the map asked for tiles (and went on without them)"


def test_near_me_lists_the_nearest_hub_first(page, offline, live_url, db):
    with db.sessions() as s:
        perrache = s.scalar(select(Hub).where(Hub.slug == "perrache"))
        lat, lon = float(perrache.latitude), float(perrache.longitude)
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": lat, "longitude": lon})
    page.goto(live_url + "/map")
    page.get_by_role("button", name="Near me").click()
    page.wait_for_url(re.compile(r"lat=45\.\d+&lon=4\.\d+"))
    assert page.get_by_role("heading", name="Nearest hubs and chargers").is_visible()
    first = page.locator("ol.places > li").first
    assert perrache.name in first.inner_text() and "0 m" in first.inner_text()
    page.locator("#map[data-ready=true]").wait_for()
    _no_sideways_scroll(page)
    # Zoomed out, the three hubs gather into one cluster that counts them.
    all_three = page.locator(".marker-cluster").filter(has_text=re.compile(r"^3$"))
    for _ in range(8):
        if all_three.count():
            break
        page.locator(".leaflet-control-zoom-out").click()
        page.wait_for_timeout(400)
    assert all_three.count() == 1
    page.locator(".hub-pin").first.wait_for(state="detached")  # once the animation ends


def test_start_and_watch_a_charging_session(page, offline, live_url, settings, db, bus):
    with LiveCharger(settings, db, bus) as live:
        # The QR code on the charger leads to the start page, through the login.
        page.goto(live_url + "/c/CP-LYON-001/1")
        page.get_by_label("Email").fill("citizen@example.org")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(live_url + "/chargers/CP-LYON-001/1/start")
        assert "free" in page.locator(".badge").first.inner_text()
        assert "€0.42 per kWh" in page.inner_text("main")
        _no_sideways_scroll(page)
        page.get_by_role("button", name="Start charging").click()
        # Waiting, then the session page once the charger reports the start.
        page.wait_for_url(re.compile(r"/charging/sessions/\d+$"), timeout=15_000)
        energy = page.locator('[data-field="energy"]')
        first = energy.inner_text()
        page.wait_for_function(
            "(old) => document.querySelector('[data-field=energy]').textContent !== old",
            arg=first,
            timeout=15_000,
        )
        assert page.locator('[data-field="power"]').inner_text() == "7.4 kW"
        assert page.locator('[data-field="cost"]').inner_text().startswith("€")
        _no_sideways_scroll(page)
        assert live.cp.remote_starts[0]["connector_id"] == 1
        page.get_by_role("button", name="Stop charging").click()
        page.get_by_text("Finished").wait_for(timeout=15_000)
        page.get_by_role("link", name="Receipt").click()
        assert page.get_by_role("heading", name="Receipt").is_visible()
        page.goto(live_url + "/charging")
        assert page.locator("[data-session]").count() == 1
        _no_sideways_scroll(page)
