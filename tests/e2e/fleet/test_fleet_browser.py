"""A fleet admin in a real headless Chromium, with invitations through a real SMTP server."""

import re

import pypdf
import pytest

from billing.fleet_invoices import run_monthly
from mobility.app import create_app
from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD, seed_demo
from tests.support.browser import log_in, served
from tests.support.smtp import link_in
from tests.support.stripe_server import free_port

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    """No horizontal scrolling on a phone."""
    page.wait_for_load_state("load")  # styles applied: a page mid-load is not the page
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.fixture
def site(db, settings, smtp):
    seed_demo(db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = create_app(settings.with_(smtp_url=smtp[1], public_url=base), db=db)
    with served(app, port):
        yield base


def test_company_signup_invitation_by_email_and_admin_controls(page, site, smtp):
    inbox, _ = smtp
    log_in(page, site, "citizen@example.org", DEMO_PASSWORD)
    page.goto(site + "/profile")
    page.get_by_role("link", name="Open a fleet account for your company").click()
    page.get_by_label("Company name").fill("Rhône Bureaux SARL")
    page.get_by_label("VAT id").fill("DE136695970")
    page.get_by_label("Contact email").fill("compta@rhone-bureaux.example")
    page.get_by_label("Street").fill("12 quai Rambaud")
    page.get_by_label("Postcode").fill("69002")
    page.get_by_label("City").fill("Lyon")
    page.get_by_role("button", name="Open the account").click()
    assert "VAT" in page.get_by_role("alert").inner_text()
    page.get_by_label("VAT id").fill("DE 136 695 976")
    page.get_by_role("button", name="Open the account").click()
    assert "is ready" in page.get_by_role("status").inner_text()
    dashboard = page.url

    # The dashboard is in tabs; cost centres are under Settings.
    assert page.get_by_role("link", name="Members").get_attribute("aria-current") == "page"
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("New cost centre code").fill("sales")
    page.get_by_label("Cost centre name").fill("Sales team")
    page.get_by_role("button", name="Add cost centre").click()
    assert "Cost centre added" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Invite by email").fill("new.member@example.org")
    page.get_by_label("Cost centre", exact=True).select_option(label="SALES Sales team")
    page.get_by_role("button", name="Send invitation").click()
    assert "Invitation sent" in page.get_by_role("status").inner_text()
    pending = page.get_by_role("region", name="Pending invitations")
    assert "new.member@example.org" in pending.inner_text()
    _fits(page)
    # Sent again: a new link, and the first one stops working.
    pending.get_by_role("button", name="Resend the invitation to new.member@example.org").click()
    assert "new link" in page.get_by_role("status").inner_text()
    first, second = inbox.wait("new.member@example.org", 2)
    assert "Rhône Bureaux" in first["Subject"] and "Rhône Bureaux" in second["Subject"]
    old_link = link_in(first, "/fleet/invitations/")
    link = link_in(second, "/fleet/invitations/")
    assert old_link != link
    # A mistyped address is withdrawn.
    page.get_by_label("Invite by email").fill("new.membre@example.org")
    page.get_by_role("button", name="Send invitation").click()
    page.get_by_role("button", name="Withdraw the invitation to new.membre@example.org").click()
    assert "withdrawn" in page.get_by_role("status").inner_text()
    pending = page.get_by_role("region", name="Pending invitations")
    assert "new.membre@" not in pending.inner_text() and "new.member@" in pending.inner_text()
    withdrawn = link_in(inbox.wait("new.membre@example.org")[0], "/fleet/invitations/")
    page.goto(withdrawn)
    assert "withdrawn" in page.get_by_role("alert").inner_text()
    page.goto(old_link)
    assert "not valid" in page.get_by_role("main").inner_text()
    page.goto(dashboard)

    # The invitee has no account yet: link -> login -> register -> confirm the e-mail ->
    # log in -> back to the invitation.
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    page.get_by_role("main").get_by_role("link", name="Register").click()
    page.get_by_label("Full name").fill("Nouveau Membre")
    page.get_by_label("Email").fill("new.member@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Register").click()
    assert "Check your e-mail" in page.get_by_role("status").inner_text()
    *_, confirmation = inbox.wait("new.member@example.org", 3)
    page.goto(link_in(confirmation, "/confirm-email/"))
    assert "confirmed" in page.get_by_role("status").inner_text()
    page.get_by_label("Email").fill("new.member@example.org")
    page.get_by_label("Password").fill("a long enough password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("heading", name="Join Rhône Bureaux SARL").is_visible()
    page.get_by_role("button", name="Accept the invitation").click()
    assert "You joined Rhône Bureaux SARL" in page.get_by_role("status").inner_text()
    page.goto(link)
    assert "used already" in page.get_by_role("alert").inner_text()
    # A member is no admin: the dashboard is refused.
    page.goto(dashboard)
    assert "fleet admins" in page.get_by_role("alert").inner_text()

    page.get_by_role("button", name="Log out").click()
    log_in(page, site, "citizen@example.org", DEMO_PASSWORD)
    page.goto(dashboard)
    members = page.get_by_role("region", name="Members")
    assert "SALES" in members.get_by_role("row", name=re.compile("new.member")).inner_text()
    assert (
        page.get_by_role("region", name="Pending invitations")
        .get_by_text("No invitation is waiting.")
        .is_visible()
    )
    # Removing asks first; removing the only admin is refused with a clear message.
    page.get_by_role("link", name="citizen@example.org").click()
    page.get_by_role("link", name="Remove this member…").click()
    assert (
        "Remove Camille Martin from Rhône Bureaux SARL?"
        in page.get_by_role("heading").first.inner_text()
    )
    page.get_by_role("button", name="Remove citizen@example.org").click()
    assert "at least one admin" in page.get_by_role("alert").inner_text()
    page.goto(dashboard)
    page.get_by_role("link", name="new.member@example.org").click()
    page.get_by_label("Monthly limit (EUR, empty for none)").fill("abc")
    page.get_by_role("button", name="Save member").click()
    assert "Enter the limit in EUR" in page.get_by_role("alert").inner_text()
    page.get_by_label("Monthly limit (EUR, empty for none)").fill("50")
    page.get_by_label("E-cars").uncheck()
    page.get_by_label("E-bikes").uncheck()
    page.get_by_role("button", name="Save member").click()
    assert "at least one kind" in page.get_by_role("alert").inner_text()
    # What was typed is still there after the refusal.
    assert page.get_by_label("Monthly limit (EUR, empty for none)").input_value() == "50"
    page.get_by_label("E-bikes").check()
    page.get_by_label("Only at these hubs").select_option(label="Place Nautique")
    page.get_by_role("button", name="Save member").click()
    assert "Member updated" in page.get_by_role("status").inner_text()
    row = page.get_by_role("region", name="Members").get_by_role("row", name=re.compile("new."))
    assert "50.00" in row.inner_text() and "SALES" in row.inner_text()
    page.get_by_role("link", name="new.member@example.org").click()
    assert page.get_by_label("Monthly limit (EUR, empty for none)").input_value() == "50.00"
    assert page.get_by_label("E-bikes").is_checked()
    assert not page.get_by_label("E-cars").is_checked()
    page.get_by_role("link", name="← Rhône Bureaux SARL").click()

    page.get_by_role("link", name="Charging cards").click()
    page.get_by_label("Card id (RFID)").fill("rfid-rb-0001")
    page.get_by_label("For member").select_option(label="new.member@example.org")
    page.get_by_role("button", name="Issue card").click()
    assert "Card issued" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Block RFID-RB-0001").click()
    assert (
        "RFID-RB-0001 · Blocked" in page.get_by_role("region", name="Charging cards").inner_text()
    )

    page.get_by_role("link", name="Vehicles").click()
    page.get_by_label("Vehicle code").fill("rb-car-1")
    page.get_by_label("Parked at hub").select_option(label="Place Nautique")
    page.get_by_label("Who may book it").select_option(label="Public at set hours")
    page.get_by_label("Public from (HH:MM)").fill("19:00")
    page.get_by_label("Public until (HH:MM)").fill("23:00")
    page.get_by_role("button", name="Add vehicle").click()
    assert (
        "RB-CAR-1 · shared hours"
        in page.get_by_role("region", name="Company vehicles").inner_text()
    )
    _fits(page)
    page.get_by_role("link", name="Usage").click()
    _fits(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


@pytest.fixture
def served_app(db, settings):
    seed_demo(db)
    app = create_app(settings, db=db)
    with served(app) as base:
        yield app, base


def test_usage_and_an_invoice_on_a_phone_with_its_pdf(page, served_app, db, ids):
    from tests.e2e.fleet.test_fleet_pages import PARIS, _company, _company_charging, _company_trip

    app, base = served_app
    cid = _company(db)
    _company_trip(app.test_client(), db, ids, cid)
    _company_charging(app, db, cid)
    now = utcnow().astimezone(PARIS)
    [number] = run_monthly(db, now.year, now.month, PARIS)
    log_in(page, base, "fleet-admin@example.org", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fleet").click()
    page.get_by_role("link", name="Usage").click()
    _fits(page)
    [row] = page.get_by_role("row", name=re.compile("driver@example.org")).all()
    cells = row.inner_text().split(
        "\n"
    )  # member, cost centre, trips, spend, charging, spend, total
    assert len(cells) == 7 and cells[1] == "OPS" and cells[2] == cells[4] == "1"
    page.get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name=number, exact=True).click()
    _fits(page)
    total = page.locator("#invoice-total").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == f"{number}.pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(download.value.path()).pages)
    assert number in text and total.replace("\xa0", " ") in text.replace("\xa0", " ")
