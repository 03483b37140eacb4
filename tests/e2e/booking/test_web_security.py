"""The web edge under hostile input: cross-site posts, stolen cookies, absurd bodies, outages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.openapi import ROUTES
from mobility.app import create_app
from mobility.demo import DEMO_PASSWORD, seed_demo
from tests.e2e.booking.conftest import at, token_for
from tests.e2e.booking.test_pages import _csrf, _login


def _cookie(client: Any) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else None


def test_cookie_authenticated_api_writes_need_the_csrf_token(client, ids):
    _login(client)
    booking = {"vehicle_id": ids["bike"], "start": at(3), "end": at(4)}
    # What a cross-site form or fetch with the victim's cookie would send: refused.
    r = client.post("/api/v1/bookings", json=booking)
    assert r.status_code == 400 and r.get_json()["error"] == "bad_request"
    assert "CSRF" in r.get_json()["message"]
    token = _csrf(client.get("/profile").get_data(as_text=True))
    r = client.post("/api/v1/bookings", json=booking, headers={"X-CSRFToken": token})
    assert r.status_code == 201
    assert client.get("/api/v1/bookings").status_code == 200  # reads need no token


def test_logout_ends_the_session_on_the_server_and_login_rotates_it(client, app):
    anonymous = _cookie(client) or ""
    _login(client)
    signed_in = _cookie(client)
    assert signed_in and signed_in != anonymous
    assert client.get("/profile").status_code == 200
    token = _csrf(client.get("/profile").get_data(as_text=True))
    client.post("/logout", data={"csrf_token": token})
    thief = app.test_client()
    thief.set_cookie("session", signed_in)  # the cookie copied before logging out
    assert thief.get("/profile").status_code == 302
    assert thief.get("/api/v1/me").status_code == 401


def test_a_new_password_ends_other_sessions(client, app):
    _login(client)
    other = app.test_client()
    _login(other)
    assert other.get("/api/v1/me").status_code == 200
    token = _csrf(client.get("/profile").get_data(as_text=True))
    r = client.post(
        "/profile",
        data={
            "csrf_token": token,
            "current_password": DEMO_PASSWORD,
            "new_password": "a brand new passphrase",
        },
    )
    assert r.status_code == 200 and "Password changed" in r.get_data(as_text=True)
    assert other.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me").status_code == 200


def test_session_cookie_flags(db, settings):
    seed_demo(db)
    app = create_app(settings.with_(public_url="https://hub.example"), db=db)
    client = app.test_client()
    token = _csrf(client.get("/login").get_data(as_text=True))
    r = client.post(
        "/login",
        data={"email": "citizen@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    header = r.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" in header
    assert "Expires=" in header  # a bounded lifetime (SESSION_DAYS)


@pytest.mark.parametrize(
    "body",
    [
        b'{"vehicle_id": NaN, "end": "2030-01-01T10:00:00Z"}',
        b'{"vehicle_id": 1e999, "end": "2030-01-01T10:00:00Z"}',
        b'{"vehicle_id": 123456789012345678901234567890, "end": "2030-01-01T10:00:00Z"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"vehicle_id": 1, "start": "9999-12-31T23:59:59+14:00", "end": "9999-12-31T23:59:59Z"}',
        b'{"vehicle_id": 1, "start": "0001-01-01T00:00:00+14:00", "end": "2030-01-01T00:00:00Z"}',
    ],
)
def test_absurd_bodies_get_a_clear_4xx(client, citizen, body):
    headers = {**citizen, "Content-Type": "application/json"}
    r = client.post("/api/v1/bookings", data=body, headers=headers)
    assert r.status_code in (400, 422) and r.get_json()["message"]


def test_bodies_over_a_megabyte_are_refused(client, citizen):
    big = json.dumps({"vehicle_id": 1, "note": "x" * (1024 * 1024)})
    r = client.post(
        "/api/v1/bookings", data=big, headers={**citizen, "Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_database_outage_is_a_503_not_a_500(settings):
    down = create_app(settings.with_(database_url="postgresql://postgres@127.0.0.1:1/gone"))
    client = down.test_client()
    r = client.get("/api/v1/vehicles")
    assert r.status_code == 503 and r.get_json()["error"] == "service_unavailable"
    r = client.post("/api/v1/tokens", json={"email": "a@b.example", "password": "x" * 12})
    assert r.status_code == 503


def test_login_works_while_redis_is_down(db, settings):
    seed_demo(db)
    app = create_app(settings.with_(redis_url="redis://127.0.0.1:1/0"), db=db)
    client = app.test_client()
    assert token_for(client, "citizen@example.org")["Authorization"].startswith("Bearer ")


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(["now", "2030-01-01T10:00:00Z", "9999-12-31T23:59:59+14:00", "-1", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    ["vehicle_id", "start", "end", "company_id", "min_soc", "hub_id", "end_soc", "distance_km"]
)
BODIES = st.one_of(JSON, st.dictionaries(FIELDS, JSON, max_size=6))
OPERATIONS = [(m, p) for m, p, *_ in ROUTES if "{" not in p or p.count("{") == 1]


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(op=st.sampled_from(OPERATIONS), body=BODIES, ident=st.integers(-3, 10**6))
def test_no_input_to_any_documented_operation_causes_a_5xx(client, citizen, op, body, ident):
    method, path = op
    url = path.split("{")[0] + (str(ident) + path.split("}")[1] if "{" in path else "")
    kwargs: dict[str, Any] = {"headers": citizen}
    if method in ("post", "patch", "put"):
        kwargs["json"] = body
    else:
        kwargs["query_string"] = {"start": json.dumps(body)[:40], "kind": str(body)[:10]}
    r = getattr(client, method)(url, **kwargs)
    assert r.status_code < 500, (method, url, body, r.get_data(as_text=True)[:300])
