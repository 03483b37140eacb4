"""The console in a real headless Chromium (phone-sized): chargers, a command, session curves."""

import json

import pytest
from sqlalchemy import select

from mobility.demo import DEMO_PASSWORD
from mobility.models import Charger
from tests.e2e.console.test_charger_uptime import seed_history
from tests.e2e.console.test_sessions import add_session
from tests.support.browser import log_in, served

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url(app):
    with served(app) as url:
        yield url


def _operator(page, base, path):
    page.goto(base + path)
    # Sent to the login page first, then back to the console page asked for.
    page.get_by_label("Email").fill("operator@example.org")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + path)


def test_chargers_list_live_status_and_search_on_a_phone(page, live_url, live, db):
    _operator(page, live_url, "/console/chargers")
    row = page.locator('tr[data-charger="CP-LYON-001"]')
    assert "Online" in row.inner_text() and "1.6" in row.inner_text()
    assert "Offline" in page.locator('tr[data-charger="CP-LYON-002"]').inner_text()
    # The page itself never scrolls sideways on a phone: wide tables scroll in their own box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    # A connector starts charging: the row follows without a reload.
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-002"))
        charger.connectors[1].status = "Charging"
    row = page.locator('tr[data-charger="CP-LYON-002"]')
    row.get_by_text("2: Charging").wait_for(timeout=10_000)
    page.get_by_label("Search id or name").fill("lyon-003")
    page.get_by_role("button", name="Filter").click()
    assert page.locator("tr[data-charger]").count() == 1
    assert page.locator('tr[data-charger="CP-LYON-003"]').is_visible()
    page.get_by_role("link", name="CP-LYON-003").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("CP-LYON-003")


def test_sending_a_command_from_its_form_shows_the_answer(page, live_url, live):
    _operator(page, live_url, "/console/chargers/CP-LYON-001")
    page.locator('details[data-action="ChangeAvailability"] summary').click()
    payload = page.get_by_label("ChangeAvailability payload (JSON)")
    assert '"type": "Operative"' in payload.input_value()
    payload.fill('{"connectorId": 1, "type": "Inoperative"}')
    page.get_by_role("button", name="Send ChangeAvailability").click()
    assert "'status': 'Accepted'" in page.get_by_role("status").inner_text()
    history = page.locator("#history-title").locator("xpath=..")
    first = history.locator("tbody tr").first.inner_text()
    assert "ChangeAvailability" in first and "answered" in first
    connectors = page.locator("#connectors-title").locator("xpath=..").inner_text()
    assert "Inoperative" in connectors  # the accepted answer changed our record


def test_session_page_plots_its_meter_values(page, live_url, db):
    tx_id = add_session(db, user="citizen@example.org")
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/sessions/{tx_id}")
    for n in (1, 2, 3):
        page.locator(f'#chart-{n}[data-drawn="true"] canvas').wait_for()
        points = page.evaluate(f"window.consoleCharts['chart-{n}'].data[1].length")
        assert points == 13
        box = page.locator(f"#chart-{n} canvas").bounding_box()
        assert box["width"] > 250  # drawn across the phone's width
    energy = page.evaluate("window.consoleCharts['chart-1'].data[1]")
    assert energy == sorted(energy) and energy[-1] == 11  # the drawn curve: 0 to 11 kWh
    soc = page.evaluate("window.consoleCharts['chart-3'].data[1]")
    assert soc == [20 + i for i in range(13)]
    page.get_by_text("Energy delivered as a table").click()
    assert page.locator("#chart-1 details tbody tr").count() == 13
    page.screenshot(path="/tmp/console-session.png", full_page=True)


def test_charger_page_plots_its_uptime_and_keeps_it_in_a_table(page, live_url, db, frozen):
    seed_history(db)
    log_in(page, live_url, "operator@example.org", DEMO_PASSWORD)
    page.goto(f"{live_url}/console/chargers/CP-LYON-001")
    page.locator('#uptime-chart[data-drawn="true"] canvas').wait_for()
    drawn = page.evaluate("window.consoleCharts['uptime-chart'].data")
    carried = json.loads(page.get_attribute("#uptime-chart", "data-chart"))
    assert drawn == [carried["x"]] + [s["values"] for s in carried["series"]]
    assert drawn[1][-3:] == [100, 50, 50]  # online on the last three days
    box = page.locator("#uptime-chart canvas").first.bounding_box()
    assert 250 <= box["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The table is the chart's text alternative, one keyboard press away.
    page.get_by_text("Uptime per day, last 30 days as a table").focus()
    page.keyboard.press("Enter")
    assert page.locator("#uptime-chart details tbody tr").count() == 30
    page.screenshot(path="/tmp/console-charger-uptime.png", full_page=True)
