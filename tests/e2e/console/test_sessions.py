"""Console session pages: filters, the meter-value curves, price, invoice and remote stop."""

import html as markup
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from mobility.models import (
    Charger,
    ChargerCommand,
    ChargingTransaction,
    IdToken,
    MeterValue,
    User,
)
from tests.e2e.console.conftest import audit_count, csrf_of

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def add_session(db, cp_id="CP-LYON-002", *, minutes=60, stopped=True, ref=None, user=None):
    """A session with a reading every 5 minutes: 11 kW, energy rising, SoC from 20 %."""
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
        owner = s.scalar(select(User).where(User.email == user)) if user else None
        tx = ChargingTransaction(
            charger_id=charger.id,
            connector_id=1,
            id_tag="RFID-CONFLUENCE-0001",
            user_id=owner.id if owner else None,
            started_at=START,
            meter_start_wh=1000,
            transaction_ref=ref,
        )
        if stopped:
            tx.status, tx.stopped_at = "completed", START + timedelta(minutes=minutes)
            tx.meter_stop_wh = 1000 + 11000 * minutes // 60
        s.add(tx)
        s.flush()
        for i in range(minutes // 5 + 1):
            at = START + timedelta(minutes=5 * i)
            for measurand, value in (
                ("Energy.Active.Import.Register", 1000 + 11000 * 5 * i // 60),
                ("Power.Active.Import", 11000),
                ("SoC", 20 + i),
            ):
                s.add(
                    MeterValue(
                        charger_id=charger.id,
                        connector_id=1,
                        transaction_id=tx.id,
                        timestamp=at,
                        measurand=measurand,
                        value=Decimal(value),
                    )
                )
        return tx.id


def _ids(html):
    return [int(p.split('"')[0].split("/")[-1]) for p in html.split('href="/console/sessions/')[1:]]


def test_session_list_filters(operator, db):
    first = add_session(db, user="driver@example.org")
    second = add_session(db, "CP-LYON-003")
    with db.transaction() as s:
        s.get(ChargingTransaction, second).started_at = START + timedelta(days=3)

    def ids(query):
        return _ids(operator.get("/console/sessions" + query).get_data(as_text=True))

    assert ids("") == [second, first]
    assert ids("?charger=CP-LYON-002") == [first]
    assert ids("?user=driver@") == [first]
    assert ids("?card=RFID-CONFLUENCE-0001") == [second, first]
    assert ids("?since=2026-03-04") == [second]
    assert ids("?until=2026-03-02") == [first]
    assert ids("?status=active") == []
    assert operator.get("/console/sessions?since=yesterday").status_code == 422


def test_session_page_draws_the_curves_prices_and_shows_the_invoice(operator, db, app):
    tx_id = add_session(db, user="citizen@example.org")
    billing = app.extensions["console"].billing
    with db.transaction() as s:
        invoice = billing.settle_charging(s, s.get(ChargingTransaction, tx_id))
        number = invoice.number
    html = operator.get(f"/console/sessions/{tx_id}").get_data(as_text=True)
    # Thirteen readings each: 0 to 11 kWh, 11 kW throughout, SoC 20 to 32 %.
    every = [int((START + timedelta(minutes=5 * i)).timestamp()) for i in range(13)]
    expected = (
        ("Energy delivered (kWh), last 11 kWh", [11000 * 5 * i // 60 / 1000 for i in range(13)]),
        ("Power (kW), last 11 kW", [11.0] * 13),
        ("State of charge (%), last 32 %", [20.0 + i for i in range(13)]),
    )
    for n, (caption, values) in enumerate(expected, 1):
        figure = html.split(f'id="chart-{n}"')[1].split("</figure>")[0]
        assert 'data-points="13"' in figure and caption in figure
        data = json.loads(markup.unescape(figure.split('data-chart="')[1].split('"')[0]))
        assert data["x"] == every and data["series"][0]["values"] == values
    assert "/console/static/vendor/uplot/uPlot.iife.min.js" in html
    # What it cost is the invoice's word; a session without one is priced on the page.
    assert f"Invoice {number}" in html and "As invoiced below." in html
    unbilled = add_session(db, "CP-LYON-003")
    html = operator.get(f"/console/sessions/{unbilled}").get_data(as_text=True)
    price = html.split('id="price"')[1].split("</table>")[0]
    assert "CHARGE-STD" in price and "11 kWh" in price and "No invoice." in html
    assert "Stop this session remotely" not in html


def test_remote_stop_goes_to_the_charger_in_its_protocol(operator, db, live):
    tx_id = add_session(db, "CP-LYON-001", stopped=False, ref="41")
    html = operator.get(f"/console/sessions/{tx_id}").get_data(as_text=True)
    assert "Stop this session remotely" in html and "Priced when the session ends." in html
    r = operator.post(f"/console/sessions/{tx_id}/stop", data={"csrf_token": csrf_of(html)})
    assert r.status_code == 303
    assert "Remote stop sent" in operator.get(r.headers["Location"]).get_data(as_text=True)
    with db.sessions() as s:
        cmd = s.scalar(
            select(ChargerCommand).where(ChargerCommand.action == "RemoteStopTransaction")
        )
    assert cmd.payload == {"transactionId": 41} and cmd.response == {"status": "Accepted"}
    assert audit_count(db, "session.remote_stop") == 1


def test_remote_stop_of_a_finished_session_is_a_conflict(operator, db):
    tx_id = add_session(db)
    token = csrf_of(operator.get("/console/sessions").get_data(as_text=True))
    r = operator.post(f"/console/sessions/{tx_id}/stop", data={"csrf_token": token})
    assert r.status_code == 409 and "not running" in r.get_data(as_text=True)
    assert audit_count(db, "session.remote_stop") == 0
    assert operator.get("/console/sessions/999999").status_code == 404


def test_session_without_readings_says_so(operator, db):
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-003"))
        s.add(IdToken(id_tag="RFID-X"))
        tx = ChargingTransaction(
            charger_id=charger.id, connector_id=2, id_tag="RFID-X", started_at=START
        )
        s.add(tx)
        s.flush()
        tx_id = tx.id
    html = operator.get(f"/console/sessions/{tx_id}").get_data(as_text=True)
    assert "The charger sent no meter values for this session." in html
