"""A citizen's own account end to end (Flask client, real database, LogMailer): moving to a new
e-mail address, changing or resetting the password (other sign-ins end), exporting their data,
and deleting the account (refused while something is under way or owed; invoices kept)."""

import json
import re
from urllib.parse import urlsplit

from sqlalchemy import select, update

from mobility.models import (
    ApiToken,
    Charger,
    ChargingTransaction,
    IdToken,
    Invoice,
    InvoiceStatus,
    Membership,
    PaymentMethod,
    User,
)
from tests.e2e.booking.conftest import at, register_confirmed, ride_for, token_for

PASSWORD = "a fine long passphrase"


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email: str, password: str = PASSWORD):
    token = _csrf(client, "/login")
    r = client.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 302, r.get_data(as_text=True)


def _mails(client, mailer, to: str) -> list[tuple[str, str]]:
    client.application.extensions["booking"].outbox.flush()
    return [(subject, body) for addr, subject, body in mailer.sent if addr == to]


def _link(body: str, path: str) -> str:
    parts = urlsplit(re.search(rf"https?://\S+{path}\S+", body).group(0))
    return parts.path


def _citizen(client, mailer, email: str = "ana@example.org") -> dict[str, str]:
    register_confirmed(client, mailer, email, PASSWORD, "Ana Lopez")
    return token_for(client, email, PASSWORD)


def test_moving_to_a_new_address_needs_its_link_and_the_old_address_is_told(client, mailer):
    h = _citizen(client, mailer)
    wrong = {"email": "ana.new@example.org", "password": "not it at all"}
    r = client.post("/api/v1/me/email", headers=h, json=wrong)
    assert r.status_code == 401 and r.get_json()["details"]["field"] == "current_password"
    r = client.post("/api/v1/me/email", headers=h, json={**wrong, "password": PASSWORD})
    assert r.status_code == 202 and r.get_json()["status"] == "check_email"
    # Nothing changes before the link is opened.
    assert client.get("/api/v1/me", headers=h).get_json()["email"] == "ana@example.org"
    [(subject, body)] = _mails(client, mailer, "ana.new@example.org")
    assert subject == "Confirm your new address"
    link = _link(body, "/confirm-email-change/")
    r = client.get(link)
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert client.get("/api/v1/me", headers=h).get_json()["email"] == "ana.new@example.org"
    told = [s for s, b in _mails(client, mailer, "ana@example.org") if "was changed" in s]
    assert told == ["Your address was changed"]
    # The link worked once; the old address no longer signs in, the new one does.
    assert client.get(link).status_code == 400
    r = client.post("/api/v1/tokens", json={"email": "ana@example.org", "password": PASSWORD})
    assert r.status_code == 401
    token_for(client, "ana.new@example.org", PASSWORD)


def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_notice(client, mailer):
    h = _citizen(client, mailer)
    body = {"email": "citizen@example.org", "password": PASSWORD}
    r = client.post("/api/v1/me/email", headers=h, json=body)
    assert r.status_code == 202 and r.get_json()["status"] == "check_email"
    [(subject, text)] = _mails(client, mailer, "citizen@example.org")
    assert subject == "Your address was not changed" and "/confirm-email-change/" not in text
    r = client.post("/api/v1/me/email", headers=h, json={**body, "email": "ana@example.org"})
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "email"


def test_a_new_password_ends_every_other_session_and_token(client, mailer, app):
    keep = _citizen(client, mailer)
    other = token_for(client, "ana@example.org", PASSWORD)
    browser = app.test_client()
    _login(browser, "ana@example.org")
    assert browser.get("/api/v1/me").status_code == 200
    r = client.post(
        "/api/v1/me/password",
        headers=keep,
        json={"current_password": "wrong one!", "new_password": "another long passphrase"},
    )
    assert r.status_code == 401
    same = {"current_password": PASSWORD, "new_password": PASSWORD}
    r = client.post("/api/v1/me/password", headers=keep, json=same)
    assert r.status_code == 422
    new = {"current_password": PASSWORD, "new_password": "another long passphrase"}
    r = client.post("/api/v1/me/password", headers=keep, json=new)
    assert r.status_code == 200 and r.get_json() == {"status": "changed", "revoked_tokens": 1}
    assert client.get("/api/v1/me", headers=keep).status_code == 200  # the caller's token stays
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert browser.get("/api/v1/me").status_code == 401
    assert [s for s, _ in _mails(client, mailer, "ana@example.org")][-1] == (
        "Your password was changed"
    )


def test_changing_the_password_on_the_profile_signs_out_apps_too(client, mailer):
    h = _citizen(client, mailer)
    _login(client, "ana@example.org")
    token = _csrf(client, "/profile")
    r = client.post(
        "/profile",
        data={"csrf_token": token, "current_password": PASSWORD, "new_password": "short"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="new_password-error"' in html
    r = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
        },
    )
    assert r.status_code == 200 and "Every other browser and app" in r.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=h).status_code == 401
    assert client.get("/profile").status_code == 200  # this browser stays signed in


def test_a_password_reset_revokes_api_tokens_and_a_used_link_says_so_at_once(client, mailer):
    h = _citizen(client, mailer)
    token = _csrf(client, "/password-reset")
    client.post("/password-reset", data={"email": "ana@example.org", "csrf_token": token})
    [(_, body)] = [m for m in _mails(client, mailer, "ana@example.org") if m[0].startswith("Reset")]
    link = _link(body, "/password-reset/")
    token = _csrf(client, link)
    r = client.post(link, data={"password": "a brand new passphrase", "csrf_token": token})
    assert r.status_code == 302
    assert client.get("/api/v1/me", headers=h).status_code == 401
    r = client.get(link)
    assert r.status_code == 400 and "used or is not valid" in r.get_data(as_text=True)


def _seed_charging(db, user_id: int) -> None:
    """A finished charging session of the user at a demo charger (as the CSMS records it)."""
    from mobility.clock import utcnow

    with db.transaction() as s:
        charger = s.scalar(select(Charger).order_by(Charger.id).limit(1))
        s.add(
            ChargingTransaction(
                charger_id=charger.id,
                connector_id=1,
                transaction_ref="tx-export-1",
                id_tag="ANA-CARD-01",
                user_id=user_id,
                status="completed",
                meter_start_wh=1000,
                meter_stop_wh=8200,
                started_at=utcnow(),
                stopped_at=utcnow(),
            )
        )
        s.add(IdToken(id_tag="ANA-CARD-01", user_id=user_id, label="Ana's card"))


def _ride(client, db, h, ids) -> dict:
    r = client.post(
        "/api/v1/bookings",
        headers=h,
        json={"vehicle_id": ids["bike"], "start": "now", "end": at(0.5)},
    )
    assert r.status_code == 201, r.get_json()
    trip = client.post(f"/api/v1/bookings/{r.get_json()['id']}/start", headers=h).get_json()
    ride_for(db, 20, trip["id"])
    end = {"hub_id": ids["hub"], "end_soc": 60, "distance_km": "2"}
    r = client.post(f"/api/v1/trips/{trip['id']}/end", headers=h, json=end)
    assert r.status_code == 200
    return r.get_json()


def test_the_export_holds_everything_about_the_user(client, mailer, db, ids):
    h = _citizen(client, mailer)
    me = client.get("/api/v1/me", headers=h).get_json()
    licence = {"number": "AL 123 456", "country": "es", "expires_on": "2031-02-28"}
    assert client.put("/api/v1/me/licence", headers=h, json=licence).status_code == 200
    ended = _ride(client, db, h, ids)
    _seed_charging(db, me["id"])
    r = client.get("/api/v1/me/export", headers=h)
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    doc = r.get_json()
    assert doc["format"] == "mobility-hub-account-export/1"
    assert doc["profile"]["email"] == "ana@example.org"
    assert doc["profile"]["full_name"] == "Ana Lopez"
    assert doc["profile"]["locale"] == "en"  # the language it signed up in
    assert doc["profile"]["driving_licence"] == {
        "number": "AL123456",
        "country": "ES",
        "expires_on": "2031-02-28",
        "verified": False,
        "verified_at": None,
    }
    assert [t["id"] for t in doc["trips"]] == [ended["trip"]["id"]]
    assert len(doc["bookings"]) == 1 and doc["bookings"][0]["status"] == "completed"
    assert [i["number"] for i in doc["invoices"]] == [ended["receipt"]["number"]]
    assert doc["invoices"][0]["lines"]
    [session] = doc["charging_sessions"]
    assert session["energy_wh"] == 7200 and session["id_tag"] == "ANA-CARD-01"
    assert doc["charging_cards"] == [
        {
            "id_tag": "ANA-CARD-01",
            "label": "Ana's card",
            "status": "Accepted",
            "expires_at": None,
            "company_id": None,
        }
    ]
    assert {t["name"] for t in doc["api_tokens"]} == {"api"}
    assert "token_hash" not in json.dumps(doc)
    # The same document from the profile page, as a download.
    _login(client, "ana@example.org")
    page = client.get("/profile/export")
    assert (
        page.mimetype == "application/json" and "attachment" in page.headers["Content-Disposition"]
    )
    assert json.loads(page.get_data())["trips"] == doc["trips"]


def test_a_fleet_members_export_names_the_company(client):
    h = token_for(client, "driver@example.org")
    doc = client.get("/api/v1/me/export", headers=h).get_json()
    [membership] = doc["memberships"]
    assert membership["company"] == "Confluence Logistique SAS" and membership["role"] == "member"
    assert doc["charging_cards"][0]["id_tag"] == "RFID-CONFLUENCE-0001"


def test_deleting_is_refused_while_a_booking_is_open_a_trip_runs_or_money_is_owed(
    client, mailer, db, ids
):
    h = _citizen(client, mailer)
    bye = {"password": PASSWORD}
    r = client.post(
        "/api/v1/bookings",
        headers=h,
        json={"vehicle_id": ids["bike"], "start": at(3), "end": at(4)},
    )
    booking = r.get_json()["id"]
    r = client.delete("/api/v1/me", headers=h, json=bye)
    assert r.status_code == 409 and r.get_json()["error"] == "booking_open"
    client.post(f"/api/v1/bookings/{booking}/cancel", headers=h)
    r = client.post(
        "/api/v1/bookings",
        headers=h,
        json={"vehicle_id": ids["bike"], "start": "now", "end": at(0.5)},
    )
    trip = client.post(f"/api/v1/bookings/{r.get_json()['id']}/start", headers=h).get_json()
    r = client.delete("/api/v1/me", headers=h, json=bye)
    assert r.status_code == 409 and r.get_json()["error"] == "trip_running"
    ride_for(db, 20, trip["id"])
    end = {"hub_id": ids["hub"], "end_soc": 60, "distance_km": "2"}
    receipt = client.post(f"/api/v1/trips/{trip['id']}/end", headers=h, json=end).get_json()
    # The card was declined: the invoice is unpaid until the citizen settles it.
    with db.transaction() as s:
        s.execute(
            update(Invoice)
            .where(Invoice.number == receipt["receipt"]["number"])
            .values(status=InvoiceStatus.PAYMENT_FAILED, paid_at=None)
        )
    r = client.delete("/api/v1/me", headers=h, json=bye)
    assert r.status_code == 409 and r.get_json()["error"] == "money_owed"
    assert client.get("/api/v1/me", headers=h).status_code == 200  # nothing was erased


def test_the_only_admin_of_a_fleet_account_names_another_first(client):
    h = token_for(client, "fleet-admin@example.org")
    r = client.delete("/api/v1/me", headers=h, json={"password": "demo-password-2026"})
    assert r.status_code == 409 and r.get_json()["error"] == "sole_fleet_admin"


def test_deleting_erases_personal_data_and_keeps_invoices(client, mailer, db, ids):
    h = _citizen(client, mailer)
    me = client.get("/api/v1/me", headers=h).get_json()
    licence = {"number": "AL123456", "country": "ES", "expires_on": "2031-02-28"}
    client.put("/api/v1/me/licence", headers=h, json=licence)
    ended = _ride(client, db, h, ids)
    _seed_charging(db, me["id"])
    with db.transaction() as s:
        s.add(
            PaymentMethod(user_id=me["id"], provider="stripe", provider_ref="pm_ana", last4="4242")
        )
        s.execute(update(User).where(User.id == me["id"]).values(stripe_customer_id="cus_ana"))
    r = client.delete("/api/v1/me", headers=h, json={"password": "wrong password"})
    assert r.status_code == 401 and r.get_json()["details"]["field"] == "password"
    r = client.delete("/api/v1/me", headers=h, json={"password": PASSWORD})
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=h).status_code == 401
    r = client.post("/api/v1/tokens", json={"email": "ana@example.org", "password": PASSWORD})
    assert r.status_code == 401
    with db.sessions() as s:
        user = s.get(User, me["id"])
        assert user.email == f"deleted-{user.id}@deleted.invalid" and user.full_name == ""
        assert not user.is_active and user.deleted_at is not None
        assert user.stripe_customer_id is None and user.stripe_payment_method_id is None
        assert user.driving_licence_number is None and user.phone is None and user.locale is None
        assert s.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
        assert s.scalars(select(PaymentMethod).where(PaymentMethod.user_id == user.id)).all() == []
        card = s.scalar(select(IdToken).where(IdToken.id_tag == "ANA-CARD-01"))
        assert card.user_id is None and card.status == "Blocked" and card.label == ""
        # The invoice is kept as issued, with the name it was billed to.
        invoice = s.scalar(select(Invoice).where(Invoice.number == ended["receipt"]["number"]))
        assert invoice.bill_to["name"] == "Ana Lopez" and invoice.user_id == user.id
    [(subject, _)] = [m for m in _mails(client, mailer, "ana@example.org") if "deleted" in m[0]]
    assert subject == "Your account is deleted"
    # The address is free again: registering with it makes a new account (a new link).
    again = {"email": "ana@example.org", "password": "yet another passphrase", "full_name": "B"}
    assert client.post("/api/v1/accounts", json=again).status_code == 202
    confirmations = [s for s, _ in _mails(client, mailer, "ana@example.org") if "Confirm" in s]
    assert len(confirmations) == 2


def test_deleting_from_the_profile_page_confirms_with_the_password(client, mailer, db):
    _citizen(client, mailer)
    _login(client, "ana@example.org")
    page = client.get("/profile/delete").get_data(as_text=True)
    assert "Invoices are kept" in page
    token = _csrf(client, "/profile/delete")
    r = client.post("/profile/delete", data={"csrf_token": token, "password": "nope nope"})
    html = r.get_data(as_text=True)
    assert r.status_code == 401 and 'id="password-error"' in html
    r = client.post("/profile/delete", data={"csrf_token": token, "password": PASSWORD})
    assert r.status_code == 302
    assert "Your account is deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 302  # signed out
    with db.sessions() as s:
        assert s.scalar(select(User).where(User.email == "ana@example.org")) is None
        assert s.scalars(select(Membership)).all()  # other accounts untouched
