"""A citizen's account in a real headless Chromium (phone size), mail through a real SMTP server:
sign up and verify, enter a driving licence, reset a forgotten password, move to another
address, delete the account. Every page fits a 390 px wide screen."""

import pytest

from tests.support.browser import log_in, served
from tests.support.smtp import link_in

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


@pytest.fixture
def site(db, settings, smtp):
    from mobility.app import create_app
    from mobility.demo import seed_demo
    from tests.support.stripe_server import free_port

    seed_demo(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with served(create_app(settings.with_(smtp_url=smtp[1], public_url=base), db=db), port):
        yield base


def _fits(page) -> None:
    """No horizontal scrolling at the page's width."""
    page.wait_for_load_state("load")  # styles applied: a page mid-load is not the page
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def _sign_up(page, site, inbox, email: str = "jules@example.org") -> None:
    page.goto(site + "/register")
    page.get_by_label("Full name").fill("Jules Petit")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    assert "Check your e-mail" in page.get_by_role("status").inner_text()
    [mail] = inbox.wait(email)
    page.goto(link_in(mail, "/confirm-email/"))
    assert "confirmed" in page.get_by_role("status").inner_text()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_sign_up_verify_and_enter_a_driving_licence(page, site, smtp):
    inbox, _ = smtp
    _sign_up(page, site, inbox)
    page.get_by_role("link", name="Jules Petit").click()
    _fits(page)
    licence = page.get_by_role("form", name="Driving licence")
    assert "E-cars need a driving licence" in licence.inner_text()
    licence.get_by_label("Licence number").fill("JP 0412 3344")
    licence.get_by_label("Issued in").select_option("FR")
    licence.get_by_label("Valid until").fill("2020-01-31")
    licence.get_by_role("button", name="Save the licence").click()
    expiry = page.get_by_label("Valid until")
    # The error sits by its field, is announced, and what was typed is still there.
    assert expiry.get_attribute("aria-invalid") == "true"
    error = page.locator("#licence_expires_on-error")
    assert error.inner_text() == "This licence has expired."
    assert "licence_expires_on-error" in expiry.get_attribute("aria-describedby")
    assert page.get_by_label("Licence number").input_value() == "JP 0412 3344"
    assert page.get_by_label("Issued in").input_value() == "FR"
    _fits(page)
    expiry.fill("2031-01-31")
    page.get_by_role("button", name="Save the licence").click()
    assert "Our team checks it" in page.get_by_role("status").inner_text()
    assert "Waiting for our team" in page.locator("#licence-state").inner_text()
    assert page.get_by_label("Licence number").input_value() == "JP04123344"


def test_reset_a_forgotten_password(page, site, smtp):
    inbox, _ = smtp
    page.goto(site + "/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("citizen@example.org")
    page.get_by_role("button", name="Send me a link").click()
    assert "citizen@example.org has an account" in page.get_by_role("status").inner_text()
    [mail] = inbox.wait("citizen@example.org")
    assert mail["Subject"] == "Reset your password"
    link = link_in(mail, "/password-reset/")
    page.goto(link)
    _fits(page)
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set the new password").click()
    assert "at least 10 characters" in page.get_by_role("alert").inner_text()
    page.get_by_label("New password").fill("my brand new passphrase")
    page.get_by_role("button", name="Set the new password").click()
    assert "Your new password is set." in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Log out").click()
    # The link worked once; the new password signs in, the old one no more.
    page.goto(link)
    assert "not valid any more" in page.get_by_role("alert").inner_text()
    log_in(page, site, "citizen@example.org", "demo-password-2026")
    assert "Wrong email or password" in page.get_by_role("alert").inner_text()
    log_in(page, site, "citizen@example.org", "my brand new passphrase")
    assert page.get_by_role("link", name="Camille Martin").is_visible()


def test_move_to_another_address_then_delete_the_account(page, site, smtp):
    inbox, _ = smtp
    _sign_up(page, site, inbox)
    page.goto(site + "/profile")
    form = page.get_by_role("form", name="E-mail address")
    form.get_by_label("New e-mail address").fill("jules.petit@example.org")
    form.get_by_label("Your password").fill("not my password")
    form.get_by_role("button", name="Send the link").click()
    assert page.locator("#email_password-error").inner_text() == "The current password is wrong."
    assert page.get_by_label("New e-mail address").input_value() == "jules.petit@example.org"
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Send the link").click()
    assert "jules.petit@example.org" in page.get_by_role("status").inner_text()
    [mail] = inbox.wait("jules.petit@example.org")
    page.goto(link_in(mail, "/confirm-email-change/"))
    assert "now uses jules.petit@example.org" in page.get_by_role("status").inner_text()
    told = [m for m in inbox.wait("jules@example.org", 2) if "changed" in m["Subject"]]
    assert "jules.petit@example.org" in told[0].get_content()

    page.get_by_role("link", name="Delete my account…").click()
    _fits(page)
    assert "Invoices are kept" in page.get_by_role("main").inner_text()
    page.get_by_label("Your password").fill("wrong again!")
    page.get_by_role("button", name="Delete my account for good").click()
    assert page.locator("#password-error").inner_text() == "The password is wrong."
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    assert "Your account is deleted" in page.get_by_role("status").inner_text()
    assert page.get_by_role("link", name="Log in").is_visible()
    log_in(page, site, "jules.petit@example.org", PASSWORD)
    assert "Wrong email or password" in page.get_by_role("alert").inner_text()
    mails = inbox.wait("jules.petit@example.org", 2)  # the link, then the farewell
    [farewell] = [m for m in mails if "deleted" in m["Subject"]]
    assert "Invoices are kept" in farewell.get_content()
