"""A tour of every citizen and fleet page, with the demo district and some activity behind it.

The browser tests walk it at phone and desktop sizes (overflow, touch targets, axe), and
bin/screenshots photographs it. A stop is a page, possibly after a step on it (a form refused
or a price asked); steps find elements by id, so the tour works in every language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from booking.fleet import services as fleet
from booking.rules import TripReadings
from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import Company, Hub, Trip, User, Vehicle

AXE = Path(__file__).parent / "axe" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CITIZEN, FLEET_ADMIN = "citizen@example.org", "fleet-admin@example.org"


@dataclass(frozen=True)
class Activity:
    """What seed_activity made: the ids the tour's addresses need."""

    hub: int
    bike: int
    car: int
    trip: int
    booking: int
    company: int
    member: int
    invitation: str


@dataclass(frozen=True)
class Stop:
    """One page of the tour: who looks at it, where, and what they do there first."""

    name: str
    path: str
    who: str | None = None
    step: Callable[[Any], None] | None = field(default=None, compare=False)
    main: bool = False  # one of the main pages (photographed in every language)


def _ids(s: Any) -> dict[str, int]:
    def one(model: Any, **where: Any) -> int:
        return int(s.scalar(select(model.id).filter_by(**where)))

    return {
        "citizen": one(User, email=CITIZEN),
        "admin": one(User, email=FLEET_ADMIN),
        "driver": one(User, email="driver@example.org"),
        "company": one(Company, vat_id="FR40303265045"),
        "hub": one(Hub, slug="confluence-nautique"),
        "hub2": one(Hub, slug="perrache"),
        "bike": one(Vehicle, code="BIKE-101"),
        "bike2": one(Vehicle, code="BIKE-102"),
        "bike3": one(Vehicle, code="BIKE-103"),
        "car": one(Vehicle, code="CAR-101"),
    }


def seed_activity(app: Any) -> Activity:
    """The demo district plus a past trip with its receipt, a trip under way, a booking for
    tomorrow, a cancelled one and a pending invitation (through the services, as users would)."""
    booking = app.extensions["booking"]
    db, bookings = booking.db, booking.bookings
    seed_demo(db)
    with db.sessions() as s:
        ids = _ids(s)
    me, now = ids["citizen"], utcnow().replace(second=0, microsecond=0)
    past = bookings.create(me, ids["bike"], now, now + timedelta(hours=1))
    trip = bookings.start_trip(me, past.id)
    with db.transaction() as s:  # a plausible ride: 25 minutes ago
        s.execute(
            update(Trip).where(Trip.id == trip.id).values(started_at=now - timedelta(minutes=25))
        )
    bookings.end_trip(
        me, trip.id, ids["hub2"], TripReadings(end_soc=52, distance_km=Decimal("4.3"))
    )
    paris = ZoneInfo("Europe/Paris")
    tomorrow = (now.astimezone(paris) + timedelta(days=1)).replace(hour=9, minute=30)
    bookings.create(me, ids["car"], tomorrow, tomorrow + timedelta(hours=3))
    later = bookings.create(me, ids["bike3"], tomorrow, tomorrow + timedelta(hours=2))
    bookings.cancel(me, later.id)
    bookings.start_trip(me, bookings.create(me, ids["bike2"], now, now + timedelta(hours=2)).id)
    with db.sessions() as s:
        admin = s.get(User, ids["admin"])
    token = fleet.invite(
        db,
        booking.outbox,
        booking.settings.base_url,
        admin,
        ids["company"],
        "new.driver@example.org",
    )
    return Activity(
        ids["hub"], ids["bike"], ids["car"], trip.id, past.id, ids["company"], ids["driver"], token
    )


def _local_input(hours: float) -> str:
    moment = datetime.now(ZoneInfo("Europe/Paris")) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:00")


def _submit(form: str) -> Callable[[Any], None]:
    def step(page: Any) -> None:
        page.locator(f"{form} button[type=submit]").first.click()

    return step


def _fill_and_submit(form: str, **values: str) -> Callable[[Any], None]:
    def step(page: Any) -> None:
        for element_id, value in values.items():
            page.fill(f"#{element_id}", value)
        page.locator(f"{form} button[type=submit]").first.click()

    return step


def stops(a: Activity) -> list[Stop]:
    """Every citizen and fleet page (the Stripe card page needs Stripe and is left out)."""
    return _visitor_stops(a) + _citizen_stops(a) + _fleet_stops(a)


def _visitor_stops(a: Activity) -> list[Stop]:
    wrong_password = _fill_and_submit("main form", email=CITIZEN, password="not the password")
    short_password = _fill_and_submit(
        "main form", full_name="Ana Silva", email="ana@example.org", password="short"
    )
    return [
        Stop("home", "/", main=True),
        Stop("search", "/search"),
        Stop("search-results", f"/search?hub_id={a.hub}&kind=ebike", main=True),
        Stop("vehicle", f"/vehicles/{a.bike}"),
        Stop("login", "/login", main=True),
        Stop("login-refused", "/login", step=wrong_password),
        Stop("register", "/register"),
        Stop("register-refused", "/register", step=short_password),
        Stop("password-reset", "/password-reset"),
        Stop("password-reset-choose", "/password-reset/not-a-real-token"),
        Stop("link-not-valid", "/confirm-email/not-a-real-token"),
        Stop("not-found", "/no-such-page"),
    ]


def _citizen_stops(a: Activity) -> list[Stop]:
    start, end = _local_input(24), _local_input(34)  # a ten-hour booking tomorrow
    vehicle = f"/vehicles/{a.car}?start={start}&end={end}"
    end_form = "form:has(#distance_km)"  # the trip page also has the extend form
    return [
        Stop("vehicle-quote", vehicle, CITIZEN, _submit("main form"), main=True),
        Stop("vehicle-refused", vehicle, CITIZEN, _fill_and_submit("main form", start="")),
        Stop("bookings", "/bookings", CITIZEN, main=True),
        Stop("trip", "/trip", CITIZEN, main=True),
        Stop("trip-refused", "/trip", CITIZEN, _fill_and_submit(end_form, distance_km="abc")),
        Stop("trips", "/trips", CITIZEN),
        Stop("receipt", f"/trips/{a.trip}/receipt", CITIZEN, main=True),
        Stop("booking-receipt", f"/bookings/{a.booking}/receipt", CITIZEN),
        Stop("profile", "/profile", CITIZEN),
        Stop("profile-delete", "/profile/delete", CITIZEN),
        Stop("report", f"/vehicles/{a.car}/report", CITIZEN),
        Stop("map", "/map", main=True),
        Stop("charging-history", "/charging", CITIZEN),
    ]


FLEET_TABS = ("cards", "vehicles", "usage", "invoices", "settings")


def _fleet_stops(a: Activity) -> list[Stop]:
    bad_vat = _fill_and_submit("main form", name="Rhône Bureaux", vat_id="FR00")
    bad_card = _fill_and_submit("form:has(#card-tag)", **{"card-tag": "x"})
    dashboard = f"/fleet/{a.company}"
    return [
        Stop("fleet-signup", "/fleet/signup", CITIZEN),
        Stop("fleet-signup-refused", "/fleet/signup", CITIZEN, bad_vat),
        Stop("fleet-invitation", f"/fleet/invitations/{a.invitation}", CITIZEN),
        Stop("fleet-dashboard", dashboard, FLEET_ADMIN, main=True),
        Stop("fleet-dashboard-refused", f"{dashboard}/cards", FLEET_ADMIN, bad_card),
        *(Stop(f"fleet-{tab}", f"{dashboard}/{tab}", FLEET_ADMIN) for tab in FLEET_TABS),
        Stop("fleet-member", f"{dashboard}/members/{a.member}", FLEET_ADMIN),
    ]


def signed_in(browser: Any, base: str, who: str) -> dict[str, Any]:
    """The cookies of a signed-in browser (one login per person per tour)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("#email", who)
    page.fill("#password", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)
    state: dict[str, Any] = context.storage_state()
    context.close()
    return state


def visit(page: Any, base: str, stop: Stop) -> None:
    """Open a stop's page and take its step (the page then shows the answer)."""
    page.goto(base + stop.path)
    if stop.step is not None:
        stop.step(page)
    page.wait_for_load_state("load")


def tour(
    browser: Any,
    base: str,
    the_stops: list[Stop],
    viewport: dict[str, int],
    locale: str = "en-GB",
) -> Iterator[tuple[Stop, Any]]:
    """Each stop's page, seen by its visitor at this size and in this language."""
    states = {who: signed_in(browser, base, who) for who in {s.who for s in the_stops} if who}
    pages: dict[str | None, Any] = {}  # one browser tab per person
    try:
        for stop in the_stops:
            page = pages.get(stop.who)
            if page is None:
                state = states.get(stop.who) if stop.who else None
                context = browser.new_context(viewport=viewport, locale=locale, storage_state=state)
                page = pages[stop.who] = context.new_page()
            visit(page, base, stop)
            yield stop, page
    finally:
        for page in pages.values():
            page.context.close()


# What the page checks measure, run in the page.
OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"
SMALL_TARGETS = """() => Array.from(document.querySelectorAll(
    'button, a.button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select,'
    + ' header nav a, label.check, .actions > a, a.back'))
  .filter(e => e.offsetParent !== null)
  .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44)
  .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""


def overflow(page: Any) -> tuple[int, int]:
    """(document width, window width): a page scrolls sideways when the first is larger."""
    width, window = page.evaluate(OVERFLOW)
    return int(width), int(window)


def small_targets(page: Any) -> list[str]:
    """Controls smaller than 44 x 44 px (WCAG 2.5.5), described for a failure message."""
    return list(page.evaluate(SMALL_TARGETS))


def axe_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's violations of these impacts on the page, one line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']} {v['id']}: {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in impacts
    ]
