"""The dashboard, live sessions, phone widths and keyboard use in a real headless Chromium."""

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD
from mobility.models import Booking, ChargingTransaction, IdToken, Tariff, User, Vehicle
from tests.e2e.console.district import seed_district
from tests.e2e.console.test_live_sessions import add_reading, running_session
from tests.e2e.console.test_sessions import add_session
from tests.support.browser import log_in, served

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app):
    with served(app) as url:
        yield url


@pytest.fixture
def district(app, db, settings):
    return seed_district(db, app.extensions["console"].billing, ZoneInfo(settings.timezone))


def _drawn(page, chart_id):
    page.locator(f'#{chart_id}[data-drawn="true"] canvas').first.wait_for()
    return page.evaluate(f"window.consoleCharts['{chart_id}'].data")


def test_dashboard_plots_the_districts_figures(page, live_url, district):
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/?site={district.site_id}")
    ids = page.eval_on_selector_all("figure.chart", "fs => fs.map(f => f.id)")
    assert set(ids) == {
        "energy-hourly",
        "energy-daily",
        "site-load",
        "availability",
        "utilisation",
        "bookings",
        "revenue-daily",
        "revenue-tariff",
    }
    for chart_id in ids:
        drawn = _drawn(page, chart_id)
        carried = json.loads(page.get_attribute(f"#{chart_id}", "data-chart"))
        # The chart draws exactly the figures the server computed.
        assert drawn == [carried["x"]] + [s["values"] for s in carried["series"]]
        box = page.locator(f"#{chart_id} canvas").first.bounding_box()
        assert 300 <= box["width"] <= 390  # across the phone, not beyond it
    hourly = _drawn(page, "energy-hourly")
    h0 = int(district.first_hour.timestamp())
    i = hourly[0].index(h0)
    assert hourly[1][i : i + 2] == [4, 4]  # kWh in the session's two hours
    tariffs = page.evaluate("window.consoleCharts['revenue-tariff'].series.map(s => s.label)")
    assert tariffs[1:] == ["EUR"]
    assert _drawn(page, "revenue-tariff")[1] == [district.revenue_minor / 100]
    site = _drawn(page, "site-load")
    now = site[0].index(int(district.quarter.timestamp()))
    assert [site[k][now] for k in (2, 3, 4)] == [1.5, 15, 4]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path="/tmp/console-dashboard-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    _drawn(page, "energy-hourly")
    assert page.locator("#energy-hourly canvas").first.bounding_box()["width"] > 400
    page.screenshot(path="/tmp/console-dashboard-desktop.png", full_page=True)
    # The period is chosen with the keyboard: pick in the select, tab to Show, press Enter.
    page.get_by_label("Days shown").focus()
    page.keyboard.press("Home")  # "Last 7 days"
    page.keyboard.press("Tab")  # the site
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show"
    page.keyboard.press("Enter")
    page.wait_for_url("**days=7**")
    assert len(_drawn(page, "bookings")[0]) == 7


def test_running_sessions_follow_new_readings_without_reload(page, live_url, db):
    tx_id = running_session(db)
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/sessions")
    row = page.locator(f'tr[data-running="{tx_id}"]')
    assert "5.50 kWh" in row.inner_text() and "11.0 kW" in row.inner_text()
    with db.transaction() as s:
        add_reading(s, s.get(ChargingTransaction, tx_id), utcnow(), 1000 + 7200, watts=3700)
    row.locator("[data-energy]", has_text="7.20 kWh").wait_for(timeout=10_000)
    assert "3.7 kW" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _pages(db, district) -> list[str]:
    tx_id = add_session(db, user="citizen@example.org")
    with db.sessions() as s:
        booking = s.scalar(select(Booking.id).order_by(Booking.id))
        tariff = s.scalar(select(Tariff.id).order_by(Tariff.id))
    return [
        "/console/",
        "/console/chargers",
        "/console/chargers/CP-LYON-001",
        "/console/new-charger",
        "/console/sessions",
        f"/console/sessions/{tx_id}",
        "/console/cards",
        "/console/fleet",
        "/console/bookings?view=all",
        f"/console/bookings/{booking}",
        "/console/trips",
        "/console/tariffs",
        f"/console/tariffs/{tariff}",
        "/console/invoices",
        "/console/payments",
        "/console/people",
        "/console/audit",
    ]


def test_no_console_page_scrolls_sideways_on_a_phone(page, live_url, db, district):
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    for path in _pages(db, district):
        page.goto(live_url + path)
        page.wait_for_load_state("load")
        wide = page.evaluate(
            "Array.from(document.querySelectorAll('body *')).filter(e => {"
            " const r = e.getBoundingClientRect();"
            " return r.width && r.right > 391 && !e.closest('.table-wrap, .plot'); })"
            ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 and not wide, (path, width, wide)


def test_a_card_is_blocked_with_the_keyboard_alone(page, live_url, db):
    card = "RFID-CONFLUENCE-0001"
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/cards?q=confluence")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    for _ in range(60):  # tab through the page until the card's block reason field
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.name, document.activeElement.id]")
        if focused[0] == "reason":
            break
    assert focused[0] == "reason"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # where the focus is can be seen
    page.keyboard.type("lost on the bus")
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    with db.sessions() as s:
        assert s.scalar(select(IdToken.status).where(IdToken.id_tag == card)) == "Blocked"


def test_a_booking_is_cancelled_with_the_keyboard_alone(page, live_url, db, app):
    desk = app.extensions["console"].bookings
    with db.sessions() as s:
        user = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
        bike = s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101"))
    start = (utcnow() + timedelta(days=1)).replace(second=0, microsecond=0)
    booking = desk.create(user, bike, start, start + timedelta(hours=1)).id
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/bookings/{booking}")
    assert page.get_by_text("Mark as a no-show").count() == 0  # not before it starts
    page.get_by_role("region", name="Cancel for the booker").get_by_label("Charge the fee").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("third late change")
    page.keyboard.press("Enter")
    page.get_by_role("status").wait_for()
    assert "cancelled; fee invoice" in page.get_by_role("status").inner_text()
    with db.sessions() as s:
        assert s.get(Booking, booking).cancel_fee_minor > 0
