"""Mails in the recipient's language (fr, de, en), through a real SMTP server.

An account keeps the language it signed up in, or the one it last switched to (header switch,
profile); its mails are written in it whatever page sent them. An invitation to an address
without an account is in the inviter's language. Mails are rendered when the outbox sends
them: on a worker thread or in the retry job, never inside the request.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import Company, OutboxItem, OutboxStatus, User
from tests.support.smtp import link_in
from tests.support.stripe_server import free_port

PASSWORD = "a long enough password"


@pytest.fixture
def site(db, settings, smtp):
    seed_demo(db)
    app = create_app(settings.with_(smtp_url=smtp[1], public_url="http://hub.test"), db=db)
    return app, smtp[0]


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email: str, password: str = PASSWORD) -> None:
    data = {"email": email, "password": password, "csrf_token": _csrf(client, "/login")}
    assert client.post("/login", data=data).status_code == 302


def _locale(db, email: str) -> str | None:
    with db.sessions() as s:
        return s.scalar(select(User.locale).where(User.email == email))


def _sign_up(app, inbox, email: str, name: str, accept_language: str) -> None:
    """Register through the API from a browser in `accept_language`, then open the link."""
    client = app.test_client()
    body = {"email": email, "password": PASSWORD, "full_name": name}
    headers = {"Accept-Language": accept_language}
    assert client.post("/api/v1/accounts", json=body, headers=headers).status_code == 202
    [mail] = inbox.wait(email)
    assert client.get(_path(link_in(mail, "/confirm-email/"))).status_code == 302


def _ask_reset(client, email: str) -> None:
    token = _csrf(client, "/password-reset")
    assert (
        client.post("/password-reset", data={"email": email, "csrf_token": token}).status_code
        == 200
    )


def test_a_german_sign_up_is_verified_in_german_and_keeps_german(site, db):
    app, inbox = site
    client = app.test_client()
    client.get("/language/de")  # chosen on the page before signing up
    form = {"email": "jonas@example.org", "password": PASSWORD, "full_name": "Jonas"}
    form["csrf_token"] = _csrf(client, "/register")
    assert client.post("/register", data=form).status_code == 200
    [mail] = inbox.wait("jonas@example.org")
    assert mail["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    text = mail.get_content()
    assert "Willkommen, Jonas." in text and "innerhalb von 3 Tagen" in text
    assert link_in(mail, "/confirm-email/").startswith("http://hub.test/confirm-email/")
    assert _locale(db, "jonas@example.org") == "de"
    # Through the API, the browser's language is the sign-up's.
    _sign_up(app, inbox, "lou@example.org", "Lou", "fr-CH, fr;q=0.9, en;q=0.5")
    assert _locale(db, "lou@example.org") == "fr"


def test_a_french_users_reset_mail_is_in_french_whatever_page_asks(site, db):
    app, inbox = site
    _sign_up(app, inbox, "ana@example.org", "Ana", "fr")
    english_page = app.test_client()
    english_page.get("/language/en")
    _ask_reset(english_page, "ana@example.org")
    _, reset = inbox.wait("ana@example.org", 2)
    assert reset["Subject"] == "Réinitialiser votre mot de passe"
    assert "Ouvrez ce lien dans l'heure" in reset.get_content()
    # The link works as ever.
    link = _path(link_in(reset, "/password-reset/"))
    data = {"password": "another fine password", "csrf_token": _csrf(english_page, link)}
    assert english_page.post(link, data=data).status_code == 302


def test_an_account_without_a_language_gets_the_language_of_the_page(site, db):
    app, inbox = site
    assert _locale(db, "citizen@example.org") is None  # made before languages were kept
    client = app.test_client()
    client.get("/language/de")
    _ask_reset(client, "citizen@example.org")
    [mail] = inbox.wait("citizen@example.org")
    assert mail["Subject"] != "Reset your password" and "Stunde" in mail.get_content()


def test_the_switch_keeps_the_language_and_beats_the_stored_one_for_this_session(site, db):
    app, inbox = site
    _sign_up(app, inbox, "ana@example.org", "Ana", "en")
    browser = app.test_client()
    _login(browser, "ana@example.org")
    page = browser.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="en">' in page  # the stored language beats the browser's
    assert browser.get("/language/fr?next=/").status_code == 302
    assert _locale(db, "ana@example.org") == "fr"
    # Another browser, in German, signs in: the stored French follows the account...
    other = app.test_client()
    _login(other, "ana@example.org")
    page = other.get("/", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr">' in page
    # ...and so do its mails.
    _ask_reset(app.test_client(), "ana@example.org")
    assert inbox.wait("ana@example.org", 2)[-1]["Subject"] == "Réinitialiser votre mot de passe"
    # Switching there is this session's choice first, and the account's from now on.
    other.get("/language/de")
    assert '<html lang="de">' in other.get("/").get_data(as_text=True)
    assert _locale(db, "ana@example.org") == "de"


def test_the_profile_sets_the_language_of_pages_and_mails(site, db):
    app, inbox = site
    _sign_up(app, inbox, "ana@example.org", "Ana", "en")
    client = app.test_client()
    _login(client, "ana@example.org")
    token = _csrf(client, "/profile")
    r = client.post("/profile/language", data={"language": "xx", "csrf_token": token})
    assert r.status_code == 422 and 'id="language-error"' in r.get_data(as_text=True)
    assert _locale(db, "ana@example.org") == "en"
    r = client.post("/profile/language", data={"language": "de", "csrf_token": token})
    assert r.status_code == 302 and _locale(db, "ana@example.org") == "de"
    page = client.get("/profile").get_data(as_text=True)
    assert "Sprache gespeichert" in page and '<option value="de" lang="de" selected>' in page
    data = {"current_password": PASSWORD, "new_password": "another fine password"}
    client.post("/profile", data={**data, "csrf_token": token})
    changed = inbox.wait("ana@example.org", 2)[-1]
    assert changed["Subject"] == "Ihr Passwort wurde geändert"
    assert "alle anderen Browser und Apps wurden abgemeldet" in changed.get_content()


def test_an_invitation_follows_the_inviters_language_or_the_invitees(site, db):
    app, inbox = site
    _sign_up(app, inbox, "jonas@example.org", "Jonas", "de")
    lea = app.test_client()
    _login(lea, "fleet-admin@example.org", DEMO_PASSWORD)
    lea.get("/language/fr")
    with db.sessions() as s:
        cid = s.scalar(select(Company.id).where(Company.vat_id == "FR40303265045"))
        company = s.get(Company, cid).name
    for email in ("nina@alpha.example", "jonas@example.org"):
        form = {"action": "invite", "email": email, "role": "member", "cost_centre_id": ""}
        r = lea.post(f"/fleet/{cid}", data={**form, "csrf_token": _csrf(lea, f"/fleet/{cid}")})
        assert r.status_code in (302, 303)
    [nina] = inbox.wait("nina@alpha.example")  # no account: the inviter's French
    assert nina["Subject"] == f"Rejoignez {company} sur la plateforme des hubs de mobilité"
    text = nina.get_content()
    assert (
        f"Lea Dubois vous invite à réserver et à rouler avec le compte de flotte de {company}"
        in text
    )
    assert re.search(r"Ouvrez ce lien avant le \w+\. \d+ \w+\.? 20\d\d, \d\d:\d\d", text)
    assert link_in(nina, "/fleet/invitations/")
    [jonas] = inbox.wait("jonas@example.org", 2)[1:]  # an account: its own German
    assert jonas["Subject"] == f"Treten Sie {company} auf der Plattform der Mobilitätsstationen bei"


def test_refusing_a_licence_in_the_console_mails_the_citizen_in_their_language(site, db):
    app, inbox = site
    _sign_up(app, inbox, "jonas@example.org", "Jonas", "de")
    citizen = app.test_client()
    r = citizen.post("/api/v1/tokens", json={"email": "jonas@example.org", "password": PASSWORD})
    h = {"Authorization": f"Bearer {r.get_json()['token']}"}
    licence = {"number": "DE123456", "country": "DE", "expires_on": "2035-01-01"}
    assert citizen.put("/api/v1/me/licence", headers=h, json=licence).status_code == 200
    console = app.test_client()
    _login(console, "operator@example.org", DEMO_PASSWORD)
    uid = citizen.get("/api/v1/me", headers=h).get_json()["id"]
    data = {"reason": "Das Foto ist unscharf.", "csrf_token": _csrf(console, "/console/licences")}
    assert console.post(f"/console/licences/{uid}/reject", data=data).status_code == 303
    [_, refused] = inbox.wait("jonas@example.org", 2)
    assert refused["Subject"] == "Ihr Führerschein"
    text = refused.get_content()
    assert "nicht akzeptieren" in text and "Das Foto ist unscharf." in text
    assert "http://hub.test/profile" in text
    assert citizen.get("/api/v1/me/licence", headers=h).get_json() == {"driving_licence": None}


def test_a_mail_left_pending_is_sent_later_by_the_retry_job_in_its_language(db, settings, smtp):
    seed_demo(db)
    with db.transaction() as s:
        s.scalar(select(User).where(User.email == "citizen@example.org")).locale = "fr"
    down = f"smtp://127.0.0.1:{free_port()}"  # nothing listens: the mail stays pending
    app = create_app(settings.with_(smtp_url=down, public_url="http://hub.test"), db=db)
    _ask_reset(app.test_client(), "citizen@example.org")
    outbox = app.extensions["booking"].outbox
    outbox.flush()
    with db.transaction() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.key.like("mail:password-reset:%")))
        assert item.status == OutboxStatus.PENDING
        item.next_attempt_at = utcnow()  # skip the backoff
    inbox, up = smtp
    later = create_app(settings.with_(smtp_url=up, public_url="http://hub.test"), db=db)
    assert later.extensions["booking"].outbox.run_due() == 1  # a job: no request, no app context
    [mail] = inbox.wait("citizen@example.org")
    assert mail["Subject"] == "Réinitialiser votre mot de passe"
