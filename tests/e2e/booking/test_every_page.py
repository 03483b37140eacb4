"""Every citizen and fleet page in headless Chromium, on a phone and a desktop, in two languages:
no sideways scrolling, large touch targets, no serious accessibility violation (axe-core), and a
refused form shows its error next to the field, keeping what was typed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mobility.app import create_app
from tests.support.browser import ARGS, CHROMIUM, served
from tests.support.site_tour import (
    DESKTOP,
    PHONE,
    axe_violations,
    overflow,
    seed_activity,
    small_targets,
    stops,
    tour,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(db, settings):
    app = create_app(settings, db=db)
    activity = seed_activity(app)
    with served(app) as base:
        yield base, activity


def _problems(stop: Any, page: Any, phone: bool) -> list[str]:
    found = []
    width, window = overflow(page)
    if width > window:
        found.append(f"{stop.name}: {width} px wide in a {window} px window")
    if phone:
        found += [f"{stop.name}: small target {t}" for t in small_targets(page)]
    found += [f"{stop.name}: {v}" for v in axe_violations(page)]
    if stop.name.endswith("-refused") and page.get_by_role("alert").count() != 1:
        found.append(f"{stop.name}: the refusal is not shown once")
    return found


@pytest.mark.timeout(600)  # about 30 pages, each checked by axe
@pytest.mark.parametrize(
    ("viewport", "locale"),
    [(PHONE, "en-GB"), (DESKTOP, "en-GB"), (PHONE, "de-AT")],
    ids=["phone-en", "desktop-en", "phone-de"],
)
def test_every_page_fits_has_large_targets_and_passes_axe(browser, site, viewport, locale):
    base, activity = site
    problems: list[str] = []
    visited = []
    for stop, page in tour(browser, base, stops(activity), viewport, locale):
        visited.append(stop.name)
        assert page.locator("html").get_attribute("lang") == locale[:2]
        problems += _problems(stop, page, viewport is PHONE)
    assert len(visited) == len(stops(activity))
    assert not problems, "\n".join(problems)


def test_a_refused_form_points_to_its_field_and_keeps_what_was_typed(browser, site):
    base, activity = site
    tour_stops = {s.name: s for s in stops(activity)}
    wanted = [
        tour_stops[n] for n in ("register-refused", "trip-refused", "fleet-dashboard-refused")
    ]
    seen = {}
    for stop, page in tour(browser, base, wanted, PHONE, "fr-FR"):
        field = page.locator("[aria-invalid=true]")
        error = page.locator(".field-error")
        assert field.count() == 1 and error.count() == 1, stop.name
        assert error.get_attribute("id") in field.get_attribute("aria-describedby").split()
        assert error.get_attribute("role") == "alert"
        assert field.evaluate("e => e === document.activeElement"), "focus goes to the field"
        seen[stop.name] = (
            error.inner_text(),
            {i: page.input_value(f"#{i}") for i in INPUTS[stop.name]},
        )
    assert seen["register-refused"] == (
        "Le mot de passe doit compter au moins 10 caractères.",
        {"full_name": "Ana Silva", "email": "ana@example.org", "password": ""},
    )
    assert seen["trip-refused"] == (
        "Saisissez la distance en km, par ex. 3,2.",
        {"distance_km": "abc"},
    )
    assert seen["fleet-dashboard-refused"] == (
        "Un identifiant de carte compte 4 à 20 lettres, chiffres ou tirets.",
        {"card-tag": "x"},
    )


# The inputs whose values a refusal keeps (a password is never sent back to the browser).
INPUTS = {
    "register-refused": ("full_name", "email", "password"),
    "trip-refused": ("distance_km",),
    "fleet-dashboard-refused": ("card-tag",),
}


def test_keyboard_users_skip_to_the_content_and_see_where_they_are(browser, site):
    base, _activity = site
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(base + "/search")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0  # shown once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")  # the first field of the search form
    focused = page.evaluate(
        "() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.id, s.outlineStyle, s.outlineWidth]; }"
    )
    assert focused == ["hub_id", "solid", "3px"]
    context.close()
