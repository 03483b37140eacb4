"""Sign-up, e-mail confirmation and password reset, with mail through a real SMTP server.

Registration must not tell a stranger whether an address has an account: the answer is the
same, and the owner of a taken address gets a mail instead. Sign-in needs a confirmed e-mail,
and answers a wrong password exactly as for an unknown address.
"""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from mobility.app import create_app
from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import OutboxItem, OutboxStatus, User
from tests.support.smtp import link_in
from tests.support.stripe_server import free_port

PASSWORD = "a long enough password"


@pytest.fixture
def site(db, settings, smtp):
    seed_demo(db)
    app = create_app(settings.with_(smtp_url=smtp[1], public_url="http://hub.test"), db=db)
    return app.test_client(), smtp[0]


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _csrf(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _register_page(client, email: str, name: str = "Someone"):
    token = _csrf(client, "/register")
    data = {"email": email, "password": PASSWORD, "full_name": name, "csrf_token": token}
    return client.post("/register", data=data)


def _users(db) -> int:
    with db.sessions() as s:
        return s.scalar(select(func.count()).select_from(User))


def test_api_answers_the_same_for_new_and_taken_addresses(site, db):
    client, inbox = site
    before = _users(db)
    new = client.post(
        "/api/v1/accounts",
        json={"email": "Ana@Example.org", "password": PASSWORD, "full_name": "A"},
    )
    taken = client.post(
        "/api/v1/accounts",
        json={"email": "citizen@example.org", "password": PASSWORD, "full_name": "Not Camille"},
    )
    assert new.status_code == taken.status_code == 202
    assert new.get_json() | {"email": "x"} == taken.get_json() | {"email": "x"}
    assert _users(db) == before + 1  # no second account for the taken address
    [notice] = inbox.wait("citizen@example.org")
    assert notice["Subject"] == "Someone tried to register with your address"
    assert "http://hub.test/login" in notice.get_content()
    assert "http://hub.test/password-reset" in notice.get_content()
    [confirm] = inbox.wait("ana@example.org")
    assert confirm["Subject"] == "Confirm your e-mail address"
    # The owner's password is untouched: the demo password still signs in.
    r = client.post("/api/v1/tokens", json={"email": "citizen@example.org", "password": PASSWORD})
    assert r.status_code == 401
    r = client.post(
        "/api/v1/tokens", json={"email": "citizen@example.org", "password": DEMO_PASSWORD}
    )
    assert r.status_code == 201


def test_page_answers_the_same_for_new_and_taken_addresses(site, db):
    client, inbox = site
    new = _register_page(client, "ana@example.org")
    taken = _register_page(client, "citizen@example.org")
    assert new.status_code == taken.status_code == 200
    new_text = new.get_data(as_text=True).replace("ana@example.org", "ADDRESS")
    assert new_text == taken.get_data(as_text=True).replace("citizen@example.org", "ADDRESS")
    assert "Check your e-mail" in new_text
    assert len(inbox.wait("citizen@example.org")) == 1 and len(inbox.wait("ana@example.org")) == 1


def test_repeated_attempts_on_a_taken_address_mail_its_owner_once_an_hour(site):
    client, inbox = site
    for _ in range(3):
        body = {"email": "citizen@example.org", "password": PASSWORD, "full_name": "X"}
        assert client.post("/api/v1/accounts", json=body).status_code == 202
    client.application.extensions["booking"].outbox.flush()
    assert len(inbox.wait("citizen@example.org")) == 1


def test_sign_in_needs_a_confirmed_email_without_revealing_accounts(site):
    client, inbox = site
    body = {"email": "ana@example.org", "password": PASSWORD, "full_name": "Ana"}
    assert client.post("/api/v1/accounts", json=body).status_code == 202
    [first] = inbox.wait("ana@example.org")
    # Wrong password of an unconfirmed account: the same answer as an unknown address.
    wrong = client.post("/api/v1/tokens", json={"email": "ana@example.org", "password": "nope"})
    ghost = client.post("/api/v1/tokens", json={"email": "ghost@example.org", "password": "nope"})
    assert wrong.status_code == ghost.status_code == 401
    assert wrong.get_json() == ghost.get_json()
    # The right password: "confirm first", and a new link is mailed.
    r = client.post("/api/v1/tokens", json={"email": "ana@example.org", "password": PASSWORD})
    assert r.status_code == 403 and r.get_json()["error"] == "email_not_confirmed"
    _, again = inbox.wait("ana@example.org", 2)
    assert again["Subject"] == "Confirm your e-mail address"
    token = _csrf(client, "/login")
    page = client.post(
        "/login", data={"email": "ana@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert page.status_code == 403 and "Confirm your e-mail address first" in page.get_data(
        as_text=True
    )
    # Either link confirms; then sign-in works, and opening a link again is harmless.
    r = client.get(_path(link_in(first, "/confirm-email/")))
    assert r.status_code == 302 and r.headers["Location"].endswith("/login")
    assert client.get(_path(link_in(again, "/confirm-email/"))).status_code == 302
    r = client.post("/api/v1/tokens", json={"email": "ana@example.org", "password": PASSWORD})
    assert r.status_code == 201


def test_confirmation_links_cannot_be_forged_or_reused_after_a_reset(site):
    client, inbox = site
    body = {"email": "ana@example.org", "password": PASSWORD, "full_name": "Ana"}
    client.post("/api/v1/accounts", json=body)
    [mail] = inbox.wait("ana@example.org")
    link = _path(link_in(mail, "/confirm-email/"))
    forged = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    r = client.get(forged)
    assert r.status_code == 400 and "not valid" in r.get_data(as_text=True)
    # A reset link proves the mailbox too: it sets a password and confirms the address...
    _reset(client, inbox, "ana@example.org", "another fine password", mails_before=1)
    r = client.application.test_client().post(
        "/api/v1/tokens", json={"email": "ana@example.org", "password": "another fine password"}
    )
    assert r.status_code == 201
    # ...and the sign-up link, made for the old password, no longer works.
    assert client.get(link).status_code == 400


def _reset(client, inbox, email: str, new_password: str, mails_before: int):
    token = _csrf(client, "/password-reset")
    r = client.post("/password-reset", data={"email": email, "csrf_token": token})
    assert r.status_code == 200 and "If " + email + " has an account" in r.get_data(as_text=True)
    mail = inbox.wait(email, mails_before + 1)[-1]
    assert mail["Subject"] == "Reset your password"
    link = _path(link_in(mail, "/password-reset/"))
    token = _csrf(client, link)
    r = client.post(link, data={"password": new_password, "csrf_token": token})
    assert r.status_code == 302
    return link


def test_password_reset_works_once_and_ends_other_sessions(site, db):
    client, inbox = site
    other = client.application.test_client()
    token = _csrf(other, "/login")
    other.post(
        "/login",
        data={"email": "citizen@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert other.get("/api/v1/me").status_code == 200
    link = _reset(client, inbox, "citizen@example.org", "a brand new passphrase", 0)
    assert other.get("/api/v1/me").status_code == 401  # the other browser is signed out
    assert client.get("/api/v1/me").status_code == 200  # this one is signed in
    token = _csrf(client, link)
    r = client.post(link, data={"password": "yet another passphrase", "csrf_token": token})
    assert r.status_code == 422 and "used or is not valid" in r.get_data(as_text=True)
    # An unknown address gets the same answer and no mail.
    token = _csrf(client, "/password-reset")
    r = client.post("/password-reset", data={"email": "ghost@example.org", "csrf_token": token})
    assert r.status_code == 200 and "If ghost@example.org has an account" in r.get_data(
        as_text=True
    )
    client.application.extensions["booking"].outbox.flush()
    assert inbox.to("ghost@example.org") == []


def test_registration_mail_waits_in_the_outbox_while_smtp_is_down(db, settings, smtp):
    # Nothing listens on this port: the answer comes at once, the mail stays pending.
    down = f"smtp://127.0.0.1:{free_port()}"
    app = create_app(settings.with_(smtp_url=down, public_url="http://hub.test"), db=db)
    client = app.test_client()
    body = {"email": "ana@example.org", "password": PASSWORD, "full_name": "Ana"}
    assert client.post("/api/v1/accounts", json=body).status_code == 202
    app.extensions["booking"].outbox.flush()
    with db.sessions() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.key.like("mail:confirm-email:%")))
        assert item.status == OutboxStatus.PENDING and item.attempts == 1
    # Once SMTP is back, the retry job delivers it.
    inbox, up = smtp
    retry = create_app(settings.with_(smtp_url=up, public_url="http://hub.test"), db=db)
    with db.transaction() as s:
        s.get(OutboxItem, item.id).next_attempt_at = utcnow()  # skip the backoff
    retry.extensions["booking"].outbox.run_due()
    [mail] = inbox.wait("ana@example.org")
    assert "/confirm-email/" in mail.get_content()
