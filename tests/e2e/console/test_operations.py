"""Console pages beyond chargers: cards, fleet, bookings, tariffs, billing, people (audited)."""

import asyncio
from datetime import timedelta
from decimal import Decimal

from ocpp.v16 import call
from sqlalchemy import select

from mobility.clock import utcnow
from mobility.models import (
    AuditEntry,
    Booking,
    ChargingTransaction,
    Company,
    IdToken,
    Invoice,
    Tariff,
    User,
    Vehicle,
)
from tests.e2e.console.conftest import audit_count, csrf_of
from tests.e2e.console.test_sessions import add_session

CARD = "RFID-CONFLUENCE-0001"


def _token(client, url):
    return csrf_of(client.get(url).get_data(as_text=True))


def _audit(db, action):
    with db.sessions() as s:
        return s.scalar(select(AuditEntry).where(AuditEntry.action == action))


def test_blocked_card_is_refused_at_authorize_and_unblocked_again(operator, db, live):
    def authorize():
        fut = asyncio.run_coroutine_threadsafe(live.cp.call(call.Authorize(id_tag=CARD)), live.loop)
        return fut.result(10).id_tag_info["status"]

    assert authorize() == "Accepted"
    html = operator.get("/console/cards?q=confluence").get_data(as_text=True)
    assert f'data-card="{CARD}"' in html and "driver@example.org" in html
    url = f"/console/cards/{CARD}/block?q=confluence"
    token = csrf_of(html)
    r = operator.post(url, data={"blocked": "true", "reason": "", "csrf_token": token})
    assert r.status_code == 422 and "Say why." in r.get_data(as_text=True)
    r = operator.post(url, data={"blocked": "true", "reason": "reported lost", "csrf_token": token})
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/cards?q=confluence")
    assert authorize() == "Blocked"
    assert _audit(db, "card.block").reason == "reported lost"
    assert "Unblock " + CARD in operator.get("/console/cards?status=Blocked").get_data(as_text=True)
    r = operator.post(url, data={"blocked": "false", "reason": "found", "csrf_token": token})
    assert r.status_code == 303 and authorize() == "Accepted"


def test_card_expiry_and_parent_tag(operator, db):
    token = _token(operator, "/console/cards")
    url = f"/console/cards/{CARD}"
    r = operator.post(url, data={"expires_on": "soon", "csrf_token": token})
    assert r.status_code == 422
    r = operator.post(
        url, data={"expires_on": "2031-06-30", "parent_id_tag": "FLEET-CONF", "csrf_token": token}
    )
    assert r.status_code == 303
    with db.sessions() as s:
        card = s.scalar(select(IdToken).where(IdToken.id_tag == CARD))
    assert card.parent_id_tag == "FLEET-CONF" and card.expires_at.date().isoformat() == "2031-06-30"
    assert _audit(db, "card.update").details["parent_id_tag"] == "FLEET-CONF"
    assert 'value="2031-06-30"' in operator.get("/console/cards").get_data(as_text=True)


def test_fleet_shows_availability_next_booking_and_maintenance(operator, db):
    with db.transaction() as s:
        car = s.scalar(select(Vehicle).where(Vehicle.code == "CAR-101"))
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        start = utcnow().replace(microsecond=0) + timedelta(hours=2)
        s.add(
            Booking(
                user_id=user.id,
                vehicle_id=car.id,
                hub_id=car.hub_id,
                start_at=start,
                end_at=start + timedelta(hours=1),
                block_end_at=start + timedelta(hours=1, minutes=15),
            )
        )
        s.scalar(select(Vehicle).where(Vehicle.code == "BIKE-102")).state = "in_use"
    html = operator.get("/console/fleet?q=CAR-101").get_data(as_text=True)
    hub = html.split('data-hub="confluence-nautique"')[1].split("</tr>")[0]
    assert '<td class="num">5</td><td class="num">1</td><td class="num">0</td>' in hub
    row = html.split('data-vehicle="CAR-101"')[1].split("</tr>")[0]
    assert "85 %" in row and "—" not in row.split("</td>")[4]  # a next booking is shown
    token = csrf_of(html)
    url = "/console/vehicles/CAR-101/maintenance"
    assert operator.post(url, data={"on": "true", "csrf_token": token}).status_code == 422
    r = operator.post(url, data={"on": "true", "reason": "flat tyre", "csrf_token": token})
    assert r.status_code == 303
    assert 'data-vehicle="CAR-101"' in operator.get("/console/fleet?state=maintenance").get_data(
        as_text=True
    )
    assert _audit(db, "vehicle.maintenance").reason == "flat tyre"
    r = operator.post(
        "/console/vehicles/BIKE-102/maintenance",
        data={"on": "true", "reason": "x", "csrf_token": token},
    )
    assert r.status_code == 409 and "on a trip" in r.get_data(as_text=True)
    r = operator.post(url, data={"on": "false", "reason": "repaired", "csrf_token": token})
    assert r.status_code == 303 and audit_count(db, "vehicle.back_in_service") == 1


def test_bookings_today_upcoming_and_no_shows(operator, db):
    now = utcnow().replace(microsecond=0)
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        bike = s.scalar(select(Vehicle).where(Vehicle.code == "BIKE-101"))

        def booking(start, status="confirmed"):
            b = Booking(
                user_id=user.id,
                vehicle_id=bike.id,
                start_at=start,
                end_at=start + timedelta(minutes=30),
                block_end_at=start + timedelta(minutes=30),
                status=status,
            )
            s.add(b)
            s.flush()
            return b.id

        later = booking(now + timedelta(days=3))
        missed = booking(now - timedelta(days=2), "no_show")

    def ids(view):
        html = operator.get(f"/console/bookings?view={view}").get_data(as_text=True)
        return [int(p.split('"')[0]) for p in html.split('data-booking="')[1:]]

    assert ids("upcoming") == [later]
    assert ids("no_show") == [missed]
    assert ids("all") == [later, missed]
    assert later not in ids("today")
    assert operator.get("/console/bookings?view=yesterday").status_code == 422
    assert operator.get("/console/trips").status_code == 200


def test_tariff_edit_is_validated_previewed_and_audited(operator, db):
    with db.sessions() as s:
        tariff = s.scalar(select(Tariff).where(Tariff.code == "CHARGE-STD"))
    url = f"/console/tariffs/{tariff.id}"
    assert "CHARGE-STD" in operator.get("/console/tariffs").get_data(as_text=True)
    token = _token(operator, url)
    form = {
        "name": "Charging: 0.40 EUR/kWh",
        "elements": '[{"price_components": [{"type": "ENERGY", "price": "0.40", "vat": "20.0",'
        ' "step_size": 1}]}]',
        "default_vat_percent": "20",
        "is_active": "on",
        "ex_minutes": "60",
        "ex_kwh": "20",
        "csrf_token": token,
    }
    r = operator.post(url, data={**form, "action": "preview"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "9.60 EUR" in html.split('id="preview-total"')[1]
    with db.sessions() as s:
        assert s.get(Tariff, tariff.id).name != form["name"]  # a preview saves nothing
    bad = {**form, "elements": '[{"price_components": [{"type": "ENERGY", "price": "x"}]}]'}
    r = operator.post(url, data={**bad, "action": "save"})
    assert r.status_code == 422 and "price" in r.get_data(as_text=True)
    r = operator.post(url, data={**form, "elements": "{", "action": "save"})
    assert r.status_code == 422
    r = operator.post(url, data={**form, "action": "save"})
    assert r.status_code == 303
    with db.sessions() as s:
        saved = s.get(Tariff, tariff.id)
    assert (
        saved.name == form["name"] and saved.elements[0]["price_components"][0]["price"] == "0.40"
    )
    assert set(_audit(db, "tariff.update").details) == {"name", "elements"}


def test_tariff_bounds_incl_vat_are_edited_validated_and_previewed(operator, db):
    with db.sessions() as s:
        tariff = s.scalar(select(Tariff).where(Tariff.code == "CHARGE-STD"))
    url = f"/console/tariffs/{tariff.id}"
    html = operator.get(url).get_data(as_text=True)
    assert 'id="min_price_incl_vat"' in html and 'id="max_price_incl_vat"' in html
    form = {
        "name": tariff.name,
        "elements": '[{"price_components": [{"type": "ENERGY", "price": "0.40", "vat": "20.0"}]}]',
        "default_vat_percent": "20",
        "is_active": "on",
        "ex_minutes": "60",
        "ex_kwh": "1",
        "csrf_token": csrf_of(html),
    }
    r = operator.post(url, data={**form, "min_price_incl_vat": "5", "action": "preview"})
    assert r.status_code == 200 and "5.00 EUR" in r.get_data(as_text=True).split("preview-total")[1]
    bad = {**form, "min_price_incl_vat": "6", "max_price_incl_vat": "5", "action": "save"}
    r = operator.post(url, data=bad)
    assert r.status_code == 422 and "min_price must not exceed max_price" in r.get_data(True)
    r = operator.post(url, data={**form, "max_price_incl_vat": "-1", "action": "save"})
    assert r.status_code == 422
    bounds = {"min_price_incl_vat": "1.50", "max_price_incl_vat": "30"}
    r = operator.post(url, data={**form, **bounds, "action": "save"})
    assert r.status_code == 303
    with db.sessions() as s:
        saved = s.get(Tariff, tariff.id)
    assert (saved.min_price_incl_vat, saved.max_price_incl_vat) == (Decimal("1.5"), Decimal(30))
    entry = _audit(db, "tariff.update")
    assert entry.details["min_price_incl_vat"] == "1.50" and entry.details["max_price_incl_vat"]
    assert 'value="1.5000"' in operator.get(url).get_data(as_text=True)


def test_refund_issues_a_credit_note_with_a_reason(operator, db, app):
    tx_id = add_session(db, user="citizen@example.org")
    billing = app.extensions["console"].billing
    with db.transaction() as s:
        invoice = billing.settle_charging(s, s.get(ChargingTransaction, tx_id))
        invoice_id, number, total = invoice.id, invoice.number, invoice.total_minor
    assert number in operator.get("/console/invoices").get_data(as_text=True)
    url = f"/console/invoices/{invoice_id}"
    token = _token(operator, url)
    r = operator.post(url + "/refund", data={"amount": "1.00", "csrf_token": token})
    assert r.status_code == 422
    r = operator.post(url + "/refund", data={"amount": "999", "reason": "x", "csrf_token": token})
    assert r.status_code == 409 and "still refundable" in r.get_data(as_text=True)
    r = operator.post(
        url + "/refund", data={"amount": "1.00", "reason": "slow charging", "csrf_token": token}
    )
    assert r.status_code == 303
    with db.sessions() as s:
        note = s.scalar(select(Invoice).where(Invoice.credit_for_id == invoice_id))
    assert note.total_minor == -100
    entry = _audit(db, "invoice.refund")
    assert entry.reason == "slow charging" and entry.details["credit_note"] == note.number
    html = operator.get(url).get_data(as_text=True)
    assert note.number in html and f"{(total - 100) / 100:.2f} EUR can still be refunded" in html
    assert operator.get("/console/payments?status=failed").status_code == 200
    assert operator.get("/console/payments?status=lost").status_code == 422


def test_roles_and_blocking_users_and_companies(operator, citizen, db):
    html = operator.get("/console/people?q=citizen").get_data(as_text=True)
    assert 'data-user="citizen@example.org"' in html and 'data-user="driver' not in html
    with db.sessions() as s:
        ids = {u.email: u.id for u in s.scalars(select(User))}
        company = s.scalar(select(Company))
    token = csrf_of(html)
    me = ids["operator@example.org"]
    r = operator.post(f"/console/users/{me}/role", data={"role": "citizen", "csrf_token": token})
    assert r.status_code == 409
    r = operator.post(
        f"/console/users/{ids['driver@example.org']}/role",
        data={"role": "operator", "csrf_token": token},
    )
    assert r.status_code == 303 and _audit(db, "user.role").details == {
        "old": "citizen",
        "new": "operator",
    }
    assert citizen.get("/bookings").status_code == 200
    url = f"/console/users/{ids['citizen@example.org']}/block"
    r = operator.post(url, data={"active": "false", "reason": "fraud", "csrf_token": token})
    assert r.status_code == 303
    assert citizen.get("/bookings").status_code == 302  # signed out for good
    r = operator.post(
        f"/console/companies/{company.id}/block",
        data={"active": "false", "reason": "unpaid", "csrf_token": token},
    )
    assert r.status_code == 303
    with db.sessions() as s:
        assert s.get(Company, company.id).is_active is False
    assert _audit(db, "company.block").reason == "unpaid"
