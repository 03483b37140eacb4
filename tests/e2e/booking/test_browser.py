"""A citizen in a real headless Chromium: register, search, book, unlock, end, see the receipt."""

import pytest

from tests.e2e.booking.conftest import ride_for
from tests.support.browser import log_in, served
from tests.support.smtp import link_in

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_site(db, settings, smtp):
    """The site sending its mail through a real SMTP server."""
    from mobility.app import create_app
    from mobility.demo import seed_demo
    from tests.support.stripe_server import free_port

    seed_demo(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with served(create_app(settings.with_(smtp_url=smtp[1], public_url=base), db=db), port):
        yield base


def test_citizen_journey_in_a_real_browser(page, mail_site, smtp, db):
    inbox, _ = smtp
    live_url = mail_site
    # Same answer for a taken address; its owner gets a notice instead.
    page.goto(live_url + "/register")
    page.get_by_label("Full name").fill("Not Camille")
    page.get_by_label("Email").fill("citizen@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Register").click()
    taken_answer = page.get_by_role("status").inner_text()
    [notice] = inbox.wait("citizen@example.org")
    assert notice["Subject"] == "Someone tried to register with your address"
    assert "/password-reset" in notice.get_content()
    page.goto(live_url + "/register")
    page.get_by_label("Full name").fill("Jules Petit")
    page.get_by_label("Email").fill("jules@example.org")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Register").click()
    assert "at least 10 characters" in page.get_by_role("alert").inner_text()
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Register").click()
    new_account = page.get_by_role("status").inner_text()
    assert "Check your e-mail" in new_account
    assert new_account.replace("jules@", "citizen@") == taken_answer
    # Signing in before confirming: told so, and a new link is mailed.
    log_in(page, live_url, "jules@example.org", "a long enough password")
    assert "Confirm your e-mail address first" in page.get_by_role("alert").inner_text()
    signup, resent = inbox.wait("jules@example.org", 2)
    assert signup["Subject"] == resent["Subject"] == "Confirm your e-mail address"
    page.goto(link_in(resent, "/confirm-email/"))
    assert "confirmed" in page.get_by_role("status").inner_text()
    page.get_by_label("Email").fill("jules@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("link", name="Jules Petit").is_visible()

    page.get_by_role("navigation").get_by_role("link", name="Find a vehicle").click()
    page.get_by_label("Hub").select_option(label="Place Nautique")
    page.get_by_label("Vehicle").select_option("ebike")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Book BIKE-1").first.click()
    page.get_by_role("button", name="See the price").click()
    total = page.locator("#quote-total").inner_text()
    assert total.startswith("€")  # money in the reader's locale (English here)
    page.get_by_role("button", name="Confirm booking").click()
    assert "Booked" in page.get_by_role("status").inner_text()

    page.get_by_role("button", name="Unlock").first.click()
    assert "unlocked" in page.get_by_role("status").inner_text()
    page.get_by_label("Hub where you park").select_option(label="Gare de Perrache")
    page.get_by_label("Distance (km)").fill("abc")
    page.get_by_role("button", name="Lock and end trip").click()
    assert "Enter the distance" in page.get_by_role("alert").inner_text()
    page.get_by_label("Distance (km)").fill("3.2")
    page.get_by_label("Charge left (%)").fill("58")
    page.get_by_role("button", name="Lock and end trip").click()
    assert "cannot be covered" in page.get_by_role("alert").inner_text()  # 3.2 km in seconds
    ride_for(db, 15)
    page.get_by_label("Distance (km)").fill("3.2")
    page.get_by_label("Charge left (%)").fill("58")
    page.get_by_role("button", name="Lock and end trip").click()

    receipt = page.get_by_role("article")
    assert receipt.get_by_role("heading").inner_text().startswith("Invoice INV-")
    assert "Jules Petit" in receipt.inner_text() and "Unlock / start fee" in receipt.inner_text()
    page.get_by_role("link", name="Trips").click()
    assert page.get_by_role("link", name="Receipt").count() == 1


@pytest.fixture
def stripe_live_url(db, settings, localstripe_url):
    # localstripe serves a stand-in for Stripe.js at /js.stripe.com/v3/ that talks to it.
    from mobility.app import create_app

    stripe_settings = settings.with_(
        stripe_secret_key="sk_test_local",
        stripe_publishable_key="pk_test_local",
        stripe_api_base=localstripe_url,
        stripe_js_url=f"{localstripe_url}/js.stripe.com/v3/",
    )
    with served(create_app(stripe_settings, db=db)) as url:
        yield url


def test_citizen_saves_a_card_through_stripe_js(page, stripe_live_url, db):
    from sqlalchemy import select

    from mobility.demo import DEMO_PASSWORD, seed_demo
    from mobility.models import User

    seed_demo(db)
    log_in(page, stripe_live_url, "citizen@example.org", DEMO_PASSWORD)
    page.goto(stripe_live_url + "/profile")
    assert "No card saved yet" in page.get_by_role("region", name="Payment card").inner_text()
    page.get_by_role("button", name="Add a card").click()
    page.get_by_placeholder("number").fill("4242424242424242")
    page.get_by_placeholder("exp_month").fill("12")
    page.get_by_placeholder("exp_year").fill("31")
    page.get_by_placeholder("cvc").fill("123")
    page.get_by_placeholder("postal_code").fill("69002")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url("**/profile")
    assert "Your card is saved." in page.get_by_role("status").inner_text()
    assert "A card is saved" in page.get_by_role("region", name="Payment card").inner_text()
    with db.sessions() as s:
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        assert user.stripe_payment_method_id.startswith("pm_")
