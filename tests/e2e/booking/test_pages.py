"""Web pages with the Flask client: CSRF, validation messages, login redirects."""

import re

from tests.e2e.booking.conftest import at


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _login(client, email="citizen@example.org", password="demo-password-2026"):
    token = _csrf(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_hub_overview_and_map_render(client):
    html = client.get("/").get_data(as_text=True)
    assert "Place Nautique" in html and 'href="/map"' in html and "BIKE-101" in html


def test_forms_without_csrf_token_are_refused(client):
    r = client.post("/login", data={"email": "citizen@example.org", "password": "x"})
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)


def test_login_errors_and_success_redirect(client):
    r = _login(client, password="wrong")
    assert r.status_code == 401 and "Wrong email or password." in r.get_data(as_text=True)
    r = _login(client)
    assert r.status_code == 302
    assert "Camille Martin" in client.get("/").get_data(as_text=True)


def test_login_redirect_never_leaves_the_site(client):
    token = _csrf(client.get("/login").get_data(as_text=True))
    r = client.post(
        "/login?next=//evil.example.org/x",
        data={
            "email": "citizen@example.org",
            "password": "demo-password-2026",
            "csrf_token": token,
        },
    )
    assert r.headers["Location"] == "/"


def test_pages_need_login(client):
    r = client.get("/bookings")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_booking_form_shows_clear_validation_errors(client, ids):
    _login(client)
    page = client.get(f"/vehicles/{ids['car']}").get_data(as_text=True)
    token = _csrf(page)
    r = client.post(
        f"/vehicles/{ids['car']}/book",
        data={"start": "", "end": "", "csrf_token": token, "action": "quote"},
    )
    html = r.get_data(as_text=True)
    # The error stands next to the field it concerns, which points to it.
    assert r.status_code == 422
    assert (
        '<p class="field-error" id="start-error" role="alert">'
        "Enter the date and time the booking starts.</p>"
    ) in html
    assert 'aria-invalid="true" autofocus aria-describedby="start-error"' in html
    start, end = at(3)[:16], at(2)[:16]
    r = client.post(
        f"/vehicles/{ids['car']}/book",
        data={"start": start, "end": end, "csrf_token": token, "action": "quote"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "The end must be after the start." in html
    assert 'id="end-error"' in html
    # What was typed is kept.
    assert f'value="{start}"' in html and f'value="{end}"' in html


def test_password_change_keeps_you_logged_in_and_checks_current(client):
    _login(client)
    token = _csrf(client.get("/profile").get_data(as_text=True))
    r = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "action": "password",
            "current_password": "nope",
            "new_password": "x" * 12,
        },
    )
    assert r.status_code == 401 and "current password is wrong" in r.get_data(as_text=True)
    r = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "action": "password",
            "current_password": "demo-password-2026",
            "new_password": "a much better passphrase",
        },
    )
    assert r.status_code == 200 and "Password changed." in r.get_data(as_text=True)


def test_search_results_link_to_booking_the_searched_times(client, ids):
    query = {"hub_id": ids["hub"], "kind": "ebike", "start": at(24)[:16], "end": at(26)[:16]}
    html = client.get("/search", query_string=query).get_data(as_text=True)
    links = re.findall(r'<a class="button" href="(/vehicles/\d+\?[^"]+)">Book BIKE-', html)
    assert len(links) == 4
    # The hub is in Europe/Paris like the platform: the times come back as typed.
    assert all(f"start={query['start']}&amp;end={query['end']}" in link for link in links)
