"""Fleet admin pages and API: the menu link, pending invitations (resend, withdraw), removing a
member after a confirmation, usage with one row per member, invoices as a page and as a PDF."""

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pypdf
from sqlalchemy import select

from billing.fleet_invoices import run_monthly
from mobility.clock import utcnow
from mobility.models import Charger, ChargingTransaction, Company, IdToken, Membership, User
from tests.e2e.booking.conftest import at, ride_for, token_for

PARIS = ZoneInfo("Europe/Paris")


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email: str) -> None:
    token = _csrf(client, "/login")
    data = {"email": email, "password": "demo-password-2026", "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302


def _company(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(Company.id).where(Company.vat_id == "FR40303265045"))


def _invitation_tokens(mailer, to: str) -> list[str]:
    bodies = [b for addr, _, b in mailer.sent if addr == to]
    return [re.search(r"/fleet/invitations/([\w-]+)", b).group(1) for b in bodies]


def test_the_fleet_link_is_in_the_menu_of_fleet_admins_only(client, db):
    _login(client, "fleet-admin@example.org")
    assert 'href="/fleet/"' in client.get("/").get_data(as_text=True)
    r = client.get("/fleet/")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/fleet/{_company(db)}")
    member = client.application.test_client()
    _login(member, "driver@example.org")
    assert 'href="/fleet/"' not in member.get("/").get_data(as_text=True)


def test_pending_invitations_are_listed_resent_and_withdrawn(client, db, mailer):
    cid = _company(db)
    lea = token_for(client, "fleet-admin@example.org")
    base = f"/api/v1/fleet/companies/{cid}/invitations"
    r = client.post(base, headers=lea, json={"email": "Nina@Alpha.example"})
    assert r.status_code == 201
    again = client.post(base, headers=lea, json={"email": "nina@alpha.example"})
    assert again.status_code == 409 and "resend it instead" in again.get_json()["message"]
    member = client.post(base, headers=lea, json={"email": "driver@example.org"})
    assert member.status_code == 409 and "member already" in member.get_json()["message"]
    [pending] = client.get(base, headers=lea).get_json()["items"]
    assert pending["email"] == "nina@alpha.example" and pending["expired"] is False
    assert client.get(base, headers=token_for(client, "driver@example.org")).status_code == 403

    r = client.post(f"{base}/{pending['id']}/resend", headers=lea)
    assert r.status_code == 200 and r.get_json()["id"] == pending["id"]
    first, second = _invitation_tokens(mailer, "nina@alpha.example")
    assert first != second
    assert client.get(f"/fleet/invitations/{first}").status_code in (302, 404)
    _login(client, "citizen@example.org")
    assert client.get(f"/fleet/invitations/{first}").status_code == 404  # the old link is dead
    assert client.get(f"/fleet/invitations/{second}").status_code == 200

    assert client.delete(f"{base}/{pending['id']}", headers=lea).status_code == 204
    assert client.get(base, headers=lea).get_json()["items"] == []
    r = client.get(f"/fleet/invitations/{second}")
    assert r.status_code == 409 and "withdrawn" in r.get_data(as_text=True)
    assert client.post(f"{base}/{pending['id']}/resend", headers=lea).status_code == 409


def test_the_members_tab_resends_and_withdraws_invitations(client, db, mailer):
    cid = _company(db)
    _login(client, "fleet-admin@example.org")
    token = _csrf(client, f"/fleet/{cid}")
    r = client.post(f"/fleet/{cid}/members", data={"csrf_token": token, "email": "not-an-email"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="email-error"' in html and 'value="not-an-email"' in html
    data = {"csrf_token": token, "action": "invite", "email": "nina@alpha.example"}
    assert client.post(f"/fleet/{cid}/members", data=data).status_code == 302
    page = client.get(f"/fleet/{cid}/members").get_data(as_text=True)
    assert "Invitation sent." in page and 'data-invitation="nina@alpha.example"' in page
    iid = re.search(r'name="invitation_id" value="(\d+)"', page).group(1)
    resend = {"csrf_token": token, "action": "resend", "invitation_id": iid}
    assert client.post(f"/fleet/{cid}/members", data=resend).status_code == 302
    assert "new link" in client.get(f"/fleet/{cid}/members").get_data(as_text=True)
    assert len(_invitation_tokens(mailer, "nina@alpha.example")) == 2
    client.post(f"/fleet/{cid}/members", data={**resend, "action": "revoke"})
    page = client.get(f"/fleet/{cid}/members").get_data(as_text=True)
    assert "Invitation withdrawn" in page and "No invitation is waiting." in page


def test_removing_a_member_is_confirmed_first_and_blocks_their_cards(client, db):
    cid = _company(db)
    with db.sessions() as s:
        hugo = s.scalar(select(User.id).where(User.email == "driver@example.org"))
    _login(client, "fleet-admin@example.org")
    page = client.get(f"/fleet/{cid}/members/{hugo}").get_data(as_text=True)
    assert f'href="/fleet/{cid}/members/{hugo}/remove"' in page
    confirm = client.get(f"/fleet/{cid}/members/{hugo}/remove").get_data(as_text=True)
    assert "Remove Hugo Bernard from Confluence Logistique SAS?" in confirm
    assert "company charging card is blocked" in confirm
    with db.sessions() as s:  # nothing happens before the confirmation
        assert s.scalar(select(Membership.status).where(Membership.user_id == hugo)) == "active"
    token = _csrf(client, f"/fleet/{cid}/members/{hugo}/remove")
    r = client.post(f"/fleet/{cid}/members/{hugo}/remove", data={"csrf_token": token})
    assert r.status_code == 302
    with db.sessions() as s:
        assert s.scalar(select(Membership.status).where(Membership.user_id == hugo)) == "removed"
        card = s.scalar(select(IdToken).where(IdToken.id_tag == "RFID-CONFLUENCE-0001"))
        assert card.status == "Blocked"
    # The last admin cannot remove themselves: said on the confirmation page.
    with db.sessions() as s:
        lea = s.scalar(select(User.id).where(User.email == "fleet-admin@example.org"))
    r = client.post(f"/fleet/{cid}/members/{lea}/remove", data={"csrf_token": token})
    assert r.status_code == 409 and "at least one admin" in r.get_data(as_text=True)


def _company_trip(client, db, ids, cid) -> None:
    hugo = token_for(client, "driver@example.org")
    body = {"vehicle_id": ids["bike"], "start": "now", "end": at(0.5), "company_id": cid}
    r = client.post("/api/v1/bookings", headers=hugo, json=body)
    assert r.status_code == 201, r.get_json()
    trip = client.post(f"/api/v1/bookings/{r.get_json()['id']}/start", headers=hugo).get_json()
    ride_for(db, 20, trip["id"])
    end = {"hub_id": ids["hub"], "end_soc": 60, "distance_km": "3"}
    assert client.post(f"/api/v1/trips/{trip['id']}/end", headers=hugo, json=end).status_code == 200


def _company_charging(app, db, cid) -> None:
    """Hugo charges with his company card; billing invoices the session to the company."""
    with db.transaction() as s:
        hugo = s.scalar(select(User.id).where(User.email == "driver@example.org"))
        charger = s.scalar(select(Charger).order_by(Charger.id).limit(1))
        tx = ChargingTransaction(
            charger_id=charger.id,
            connector_id=1,
            transaction_ref="tx-usage-1",
            id_tag="RFID-CONFLUENCE-0001",
            user_id=hugo,
            company_id=cid,
            status="completed",
            meter_start_wh=0,
            meter_stop_wh=20_000,
            started_at=utcnow() - timedelta(hours=1),
            stopped_at=utcnow(),
        )
        s.add(tx)
        s.flush()
        assert app.extensions["booking"].billing.settle_charging(s, tx) is not None


def test_usage_has_one_row_per_member_with_trips_and_charging(client, app, db, ids):
    cid = _company(db)
    _company_trip(client, db, ids, cid)
    _company_charging(app, db, cid)
    lea = token_for(client, "fleet-admin@example.org")
    [row] = client.get(f"/api/v1/fleet/companies/{cid}/usage", headers=lea).get_json()["items"]
    assert row["member"] == "driver@example.org" and row["cost_centre"] == "OPS"
    assert row["trips"] == 1 and row["charging_sessions"] == 1
    assert row["trip_spend_minor"] > 0 and row["charging_spend_minor"] > 0
    assert row["total_minor"] == row["trip_spend_minor"] + row["charging_spend_minor"]
    _login(client, "fleet-admin@example.org")
    page = client.get(f"/fleet/{cid}/usage").get_data(as_text=True)
    assert page.count(">driver@example.org</th>") == 1
    csv = client.get(f"/api/v1/fleet/companies/{cid}/usage.csv", headers=lea).get_data(as_text=True)
    assert len(csv.strip().splitlines()) == 2 and csv.startswith("member,cost_centre,trips")


def _pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_monthly_invoices_as_a_page_and_as_a_pdf(client, app, db, ids):
    cid = _company(db)
    _company_trip(client, db, ids, cid)
    _company_charging(app, db, cid)
    now = utcnow().astimezone(PARIS)
    [number] = run_monthly(db, now.year, now.month, PARIS)
    _login(client, "fleet-admin@example.org")
    tab = client.get(f"/fleet/{cid}/invoices").get_data(as_text=True)
    assert number in tab and f"/fleet/{cid}/invoices/{number}/pdf" in tab
    page = client.get(f"/fleet/{cid}/invoices/{number}").get_data(as_text=True)
    total = re.search(r'id="invoice-total">([^<]+)<', page).group(1)
    assert "Confluence Logistique SAS" in page and "FR40303265045" in page

    r = client.get(f"/fleet/{cid}/invoices/{number}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"] == f"attachment; filename={number}.pdf"
    text = _pdf_text(r.get_data())
    assert f"Invoice {number}" in text and "Confluence Logistique SAS" in text
    assert f"Total {total}" in text.replace("\xa0", " ") or total in text
    lea = token_for(app.test_client(), "fleet-admin@example.org")
    api = client.get(f"/api/v1/fleet/companies/{cid}/invoices/{number}/pdf", headers=lea)
    assert api.status_code == 200 and f"Invoice {number}" in _pdf_text(api.get_data())
    # In French: French labels and French money.
    french = client.get(
        f"/fleet/{cid}/invoices/{number}/pdf", headers={"Accept-Language": "fr-FR,fr"}
    )
    text = _pdf_text(french.get_data())
    assert f"Facture {number}" in text and "€" in text
    # Another company's admin sees nothing of it.
    other = client.application.test_client()
    _login(other, "citizen@example.org")
    assert other.get(f"/fleet/{cid}/invoices/{number}/pdf").status_code == 404
