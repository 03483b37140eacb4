"""Citizen charging through the Flask client against a real OCPP 1.6 charger on localhost."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.bus import InProcessBus
from mobility.demo import seed_demo
from mobility.models import (
    ChargingTransaction,
    IdToken,
    Invoice,
    InvoiceKind,
    TransactionStatus,
    User,
)
from tests.e2e.booking.live_charging import LiveCharger
from tests.e2e.console.conftest import csrf_of, sign_in


@pytest.fixture
def bus():
    return InProcessBus()


@pytest.fixture
def app(db, settings, bus):
    seed_demo(db)
    return create_app(settings, db=db, bus=bus, CHARGING_POLL_SECONDS=0.5)


@pytest.fixture
def live(settings, db, bus, app):
    with LiveCharger(settings, db, bus) as running:
        yield running


@pytest.fixture
def citizen(app):
    client = app.test_client()
    sign_in(client, "citizen@example.org")
    return client


def _card_of(db, email: str) -> IdToken:
    with db.sessions() as s:
        user_id = s.scalar(select(User.id).where(User.email == email))
        return s.scalar(select(IdToken).where(IdToken.user_id == user_id))


def _until(check, seconds: float = 10):
    """Poll `check` until it returns something truthy."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _start(client, cp_id: str = "CP-LYON-001", connector: int = 1, **form):
    page = client.get(f"/chargers/{cp_id}/{connector}/start")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(f"/chargers/{cp_id}/{connector}/start", data={"csrf_token": token, **form})


def test_charger_page_shows_connectors_tariff_and_qr_codes_to_operators(app, live):
    client = app.test_client()
    html = client.get("/chargers/CP-LYON-001").get_data(as_text=True)
    assert html.count('class="badge s-free"') == 2
    assert "€0.42 per kWh" in html  # 0.35 net + 20 % VAT
    assert "€7.20 per hour parked after charging" in html
    assert "/chargers/CP-LYON-001/1/start" in html
    assert "qr.svg" not in html  # QR codes are for operators
    sign_in(client, "operator@example.org")
    html = client.get("/chargers/CP-LYON-001").get_data(as_text=True)
    assert 'src="/chargers/CP-LYON-001/2/qr.svg"' in html
    svg = client.get("/chargers/CP-LYON-001/2/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert b"http://127.0.0.1:0/c/CP-LYON-001/2" in svg.data  # the printed address
    # In French the tariff reads as French money.
    client.get("/language/fr")
    assert "0,42\u00a0€ le kWh" in client.get("/chargers/CP-LYON-001").get_data(as_text=True)


def test_qr_address_leads_to_login_then_the_start_page(app):
    client = app.test_client()
    r = client.get("/c/CP-LYON-001/2")
    assert r.status_code == 302 and r.location.endswith("/chargers/CP-LYON-001/2/start")
    r = client.get(r.location)
    assert r.status_code == 302 and "/login" in r.location
    assert "next=/chargers/CP-LYON-001/2/start" in r.location.replace("%2F", "/")


def test_start_watch_stop_and_receipt_with_an_app_card(app, live, citizen, db):
    r = _start(citizen)
    assert r.status_code == 302, r.get_data(as_text=True)
    # No card yet: an app card was issued to the citizen and sent to the charger.
    card = _card_of(db, "citizen@example.org")
    assert card.id_tag.startswith("APP-") and len(card.id_tag) == 20 and card.kind == "Central"
    assert live.cp.remote_starts == [{"id_tag": card.id_tag, "connector_id": 1}]
    started = _session_url(citizen, r.location)
    tx_id = int(started.rsplit("/", 1)[1])
    # Energy flows: the figures grow between two polls; the cost follows the tariff.
    first = _until(lambda: _energy(citizen, tx_id) > 0 and citizen.get(f"{started}.json"))
    data = first.get_json()
    assert data["running"] and data["power"] == "7.4 kW" and data["cost"].startswith("€")
    before = _energy(citizen, tx_id)
    _until(lambda: _energy(citizen, tx_id) > before)
    html = citizen.get(started).get_data(as_text=True)
    assert "Stop charging" in html and "Cost so far" in html
    # Stop from the web: the charger ends the session, billing invoices it.
    token = csrf_of(html)
    assert citizen.post(f"{started}/stop", data={"csrf_token": token}).status_code == 302
    assert live.cp.remote_stops == [{"transaction_id": live.cp.transaction_id}]
    _until(lambda: _status(db, tx_id) == TransactionStatus.COMPLETED)
    with db.sessions() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.charging_transaction_id == tx_id))
    assert invoice is not None and invoice.kind == InvoiceKind.CHARGING and invoice.total_minor > 0
    done = citizen.get(f"{started}.json")
    assert done.get_json()["running"] is False  # the page stops polling and reloads
    again = citizen.get(f"{started}.json", headers={"If-None-Match": done.headers["ETag"]})
    assert again.status_code == 304  # a finished session's figures no longer change
    html = citizen.get(started).get_data(as_text=True)
    assert "Finished" in html and f"/charging/sessions/{tx_id}/receipt" in html
    receipt = citizen.get(f"/charging/sessions/{tx_id}/receipt").get_data(as_text=True)
    assert invoice.number in receipt
    history = citizen.get("/charging").get_data(as_text=True)
    assert f'data-session="{tx_id}"' in history and "Receipt" in history
    # Nobody else sees it.
    other = app.test_client()
    sign_in(other, "driver@example.org")
    assert other.get(started).status_code == 404
    assert other.get(f"/charging/sessions/{tx_id}/receipt").status_code == 404


def _session_url(client, waiting_url: str) -> str:
    """Where the waiting page leads once the charger reported the start."""
    waiting = urlsplit(waiting_url)
    assert waiting.path == "/charging/waiting"
    assert parse_qs(waiting.query)["cp"] == ["CP-LYON-001"]
    json_url = "/charging/waiting.json?" + waiting.query
    started = _until(lambda: client.get(json_url).get_json()["url"])
    assert client.get(waiting_url).location == started  # the page itself forwards too
    return started


def _energy(client, tx_id: int) -> float:
    text = client.get(f"/charging/sessions/{tx_id}.json").get_json()["energy"]
    return float(text.split()[0].replace(",", ""))


def _status(db, tx_id: int) -> str:
    with db.sessions() as s:
        return s.get(ChargingTransaction, tx_id).status


def test_a_member_starts_with_their_company_card(app, live, db):
    client = app.test_client()
    sign_in(client, "driver@example.org")
    page = client.get("/chargers/CP-LYON-001/2/start").get_data(as_text=True)
    assert 'value="RFID-CONFLUENCE-0001"' in page and "billed to Confluence Logistique SAS" in page
    r = _start(client, connector=2, card="RFID-CONFLUENCE-0001")
    assert r.status_code == 302
    assert live.cp.remote_starts == [{"id_tag": "RFID-CONFLUENCE-0001", "connector_id": 2}]


def test_refusals_are_shown_next_to_the_form(app, live, citizen, db):
    # Someone else's card.
    r = _start(citizen, card="RFID-CONFLUENCE-0001")
    assert r.status_code == 403
    assert "This card cannot be used" in r.get_data(as_text=True)
    assert live.cp.remote_starts == []
    # A charger that is not connected.
    r = _start(citizen, cp_id="CP-LYON-002")
    assert r.status_code == 409
    assert "not connected right now" in r.get_data(as_text=True)
    # The charger says no.
    live.cp.accept = False
    r = _start(citizen)
    assert r.status_code == 409
    assert "did not accept the start" in r.get_data(as_text=True)
    # A connector in use.
    live.cp.accept = True
    live.run(live.cp.status(1, "Charging"))
    live.run(live.flush())
    r = _start(citizen)
    assert r.status_code == 409 and "This connector is in use" in r.get_data(as_text=True)


def test_unknown_or_private_chargers_are_not_found(app, db):
    client = app.test_client()
    assert client.get("/chargers/NOPE").status_code == 404
    assert client.get("/chargers/NOPE/1/qr.svg").status_code == 404
    from mobility.models import Charger

    with db.transaction() as s:
        s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-003")).is_public = False
    assert client.get("/chargers/CP-LYON-003").status_code == 404


def test_with_card_payments_a_private_start_needs_a_saved_card(db, settings, bus):
    seed_demo(db)
    paid = settings.with_(stripe_secret_key="sk_test_not_called")
    app = create_app(paid, db=db, bus=bus)
    with LiveCharger(settings, db, bus) as live:
        client = app.test_client()
        sign_in(client, "citizen@example.org")
        r = _start(client)
        assert r.status_code == 403
        html = r.get_data(as_text=True)
        assert "Save a payment card in your profile first" in html and 'href="/profile"' in html
        assert live.cp.remote_starts == []
        # A company card is billed to the company: no saved card needed.
        member = app.test_client()
        sign_in(member, "driver@example.org")
        assert _start(member, card="RFID-CONFLUENCE-0001").status_code == 302
        # Once the citizen saved a card, the start goes through.
        with db.transaction() as s:
            s.scalar(
                select(User).where(User.email == "citizen@example.org")
            ).stripe_payment_method_id = "pm_1"
        assert _start(client, connector=2).status_code == 302
        assert [c["connector_id"] for c in live.cp.remote_starts] == [1, 2]


def test_a_charger_without_a_tariff_in_force_says_so(app, db):
    from mobility.models import Tariff

    with db.transaction() as s:
        s.scalar(select(Tariff).where(Tariff.code == "CHARGE-STD")).is_active = False
    html = app.test_client().get("/chargers/CP-LYON-001").get_data(as_text=True)
    assert "The price of this charger is not published yet." in html
