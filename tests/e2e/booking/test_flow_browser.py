"""The booking flow in headless Chromium on a phone (390x844), in French: book through the
vehicle page, watch the trip live, extend it, report damage with a photo, end it."""

from __future__ import annotations

import struct
import zlib

import pytest
from sqlalchemy import select

from mobility.models import Booking, ProblemReport
from tests.e2e.booking.conftest import ride_for
from tests.support.browser import log_in, served

pytestmark = pytest.mark.browser


def tiny_png() -> bytes:
    """A real 2x2 PNG (what a phone camera would send, only smaller)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xd0\x30\x30" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def site(db, settings, tmp_path):
    from mobility.app import create_app
    from mobility.demo import seed_demo

    seed_demo(db)
    app = create_app(settings.with_(file_dir=str(tmp_path / "uploads")), db=db, TRIP_POLL_SECONDS=1)
    with served(app) as url:
        yield url


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    """No horizontal scrolling at this width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_book_in_french_then_extend_report_and_end_the_trip(page, site, db, tmp_path):
    log_in(page, site, "citizen@example.org", "demo-password-2026")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    page.get_by_role("link", name="BIKE-101").click()

    # The vehicle page: every price, VAT included, and the range at pick-up.
    prices = page.locator("#price-list")
    assert "Frais de déverrouillage, par trajet" in prices.inner_text()
    assert "1,20\xa0€" in prices.inner_text() and "0,18\xa0€" in prices.inner_text()
    assert "Plafond journalier" in prices.inner_text() and "24,00\xa0€" in prices.inner_text()
    assert "environ 42 km" in page.locator("#pickup-range").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "vehicle.png"), full_page=True)
    page.get_by_role("button", name="Voir le prix").click()
    assert "€" in page.locator("#quote-total").inner_text()
    page.get_by_role("button", name="Confirmer la réservation").click()
    assert "Réservé" in page.get_by_role("status").inner_text()
    assert fits_the_phone(page)

    page.get_by_role("button", name="Déverrouiller BIKE-101").click()
    page.wait_for_url("**/trip")
    assert page.locator("#trip-price").inner_text() in ("1,20\xa0€", "1,38\xa0€")
    # Twenty minutes later (the clock moves in the database): time and price follow, no reload.
    ride_for(db, 20)
    page.wait_for_function(
        "document.getElementById('trip-elapsed').textContent.startsWith('0:20:')", timeout=10_000
    )
    page.wait_for_function(
        "Number(document.getElementById('trip-live').dataset.priceMinor) >= 480", timeout=10_000
    )
    assert page.locator("#trip-price").inner_text() in ("4,80\xa0€", "4,98\xa0€")
    assert fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "trip.png"), full_page=True)

    with db.sessions() as s:
        before = s.scalar(select(Booking)).end_at
    page.get_by_label("Ajouter").select_option("30")
    page.get_by_role("button", name="Prolonger la réservation").click()
    assert "Prolongée jusqu'à" in page.get_by_role("status").inner_text()
    with db.sessions() as s:
        assert (s.scalar(select(Booking)).end_at - before).total_seconds() == 1800

    page.get_by_role("link", name="Signaler un problème ou un dégât").click()
    page.get_by_label("Qu'est-ce qui ne va pas ?").select_option("damage")
    page.get_by_label("Décrivez-le").fill("Garde-boue arrière fendu")
    photo = tmp_path / "degat.png"
    photo.write_bytes(tiny_png())
    page.get_by_label("Photo (facultative)").set_input_files(str(photo))
    assert fits_the_phone(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_url("**/trip")
    assert "Merci" in page.get_by_role("status").inner_text()
    with db.sessions() as s:
        report = s.scalar(select(ProblemReport))
    assert (report.category, report.photo_type, report.photo_bytes) == (
        "damage",
        "image/png",
        len(tiny_png()),
    )
    assert (tmp_path / "uploads" / report.photo_key).read_bytes() == tiny_png()

    page.get_by_label("Hub où vous stationnez").select_option(label="Gare de Perrache")
    page.get_by_label("Distance (km)").fill("3,2")
    page.get_by_label("Charge restante (%)").fill("55")
    page.get_by_role("button", name="Verrouiller et terminer le trajet").click()
    page.wait_for_url("**/receipt")
    assert page.get_by_role("article").is_visible()
    assert (
        page.get_by_role("link", name="Signaler un problème ou un dégât sur ce véhicule").count()
        == 1
    )


def test_a_late_cancellation_shows_its_fee_and_needs_a_second_click(page, site, db, tmp_path):
    from datetime import timedelta

    from mobility.app import build_core
    from mobility.clock import utcnow
    from mobility.models import User, Vehicle

    with db.sessions() as s:
        user = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
        bike = s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-102"))
    core = build_core(db.settings, db=db)
    soon = utcnow().replace(microsecond=0) + timedelta(minutes=20)
    core.bookings.create(user, bike, soon, soon + timedelta(hours=1))
    core.outbox.close()
    log_in(page, site, "citizen@example.org", "demo-password-2026")
    page.goto(site + "/bookings")
    page.get_by_role("button", name="Cancel (fee €5.00)…").click()
    page.get_by_role("heading", name="Cancelling now costs €5.00").wait_for()
    assert fits_the_phone(page)
    page.screenshot(path=str(tmp_path / "cancel.png"), full_page=True)
    page.get_by_role("link", name="No, keep my booking").click()
    page.wait_for_url("**/bookings")
    with db.sessions() as s:  # nothing was cancelled by the first click
        assert s.scalar(select(Booking.status)) == "confirmed"
    page.get_by_role("button", name="Cancel (fee €5.00)…").click()
    page.get_by_role("button", name="Yes, cancel and pay €5.00").click()
    page.wait_for_url("**/bookings")
    assert "Cancelled. Fee: €5.00." in page.get_by_role("status").inner_text()
    with db.sessions() as s:
        assert s.scalar(select(Booking.cancel_fee_minor)) == 500
