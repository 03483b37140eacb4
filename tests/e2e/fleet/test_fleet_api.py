"""Fleet accounts end to end: sign-up, invitations, limits at booking, cards, usage, isolation."""

import re

import pytest
from sqlalchemy import select, update

from mobility.models import Company, IdToken, Vehicle
from tests.e2e.booking.conftest import at, checked_licence, register_confirmed, token_for


@pytest.fixture
def register(client, mailer):
    """Register a confirmed citizen through the API; their bearer header."""

    def make(email):
        register_confirmed(client, mailer, email, "a fine passphrase")
        return token_for(client, email, "a fine passphrase")

    return make


@pytest.fixture
def two_companies(client, db, register):
    """Company A (demo, admin lea, member hugo) and company B (admin bob)."""
    lea = token_for(client, "fleet-admin@example.org")
    hugo = token_for(client, "driver@example.org")
    bob = register("bob@beta.example")
    r = client.post(
        "/api/v1/fleet/companies",
        headers=bob,
        json={
            "name": "Beta GmbH",
            "vat_id": "DE129273398",
            "contact_email": "bob@beta.example",
            "billing_street": "Hauptstr. 1",
            "billing_postcode": "81241",
            "billing_city": "Munich",
        },
    )
    assert r.status_code == 201
    with db.sessions() as s:
        a = s.scalar(select(Company.id).where(Company.vat_id == "FR40303265045"))
    return {"a": a, "b": r.get_json()["id"], "lea": lea, "hugo": hugo, "bob": bob}


def test_signup_validates_vat_id_and_refuses_duplicates(client, register):
    h = register("eve@x.example")
    body = {
        "name": "X",
        "vat_id": "FR00000000000",
        "contact_email": "eve@x.example",
        "billing_street": "1 rue",
        "billing_postcode": "69002",
        "billing_city": "Lyon",
    }
    r = client.post("/api/v1/fleet/companies", headers=h, json=body)
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "vat_id"
    r = client.post("/api/v1/fleet/companies", headers=h, json={**body, "vat_id": "FR40303265045"})
    assert r.status_code == 409


def test_invite_accept_and_member_books_under_company_within_limits(
    client, two_companies, ids, mailer, register
):
    c = two_companies
    nina = register("nina@alpha.example")
    r = client.post(
        f"/api/v1/fleet/companies/{c['a']}/invitations",
        headers=c["lea"],
        json={"email": "nina@alpha.example"},
    )
    assert r.status_code == 201 and "token" not in r.get_json()
    to, subject, body = mailer.sent[-1]
    assert to == "nina@alpha.example" and subject.startswith("Join ")
    token = re.search(r"/fleet/invitations/([\w-]+)", body).group(1)
    r = client.post("/api/v1/fleet/invitations/accept", headers=c["bob"], json={"token": token})
    assert r.status_code == 403  # sent to another email
    r = client.post("/api/v1/fleet/invitations/accept", headers=nina, json={"token": token})
    assert r.status_code == 200 and r.get_json()["role"] == "member"
    r = client.post("/api/v1/fleet/invitations/accept", headers=nina, json={"token": token})
    assert r.status_code == 409 and "used already" in r.get_json()["message"]

    me = client.get("/api/v1/me", headers=nina).get_json()
    checked_licence(client, nina)  # e-cars need it
    r = client.patch(
        f"/api/v1/fleet/companies/{c['a']}/members/{me['id']}",
        headers=c["lea"],
        json={"monthly_limit_minor": 1000, "allowed_vehicle_kinds": ["ecar"]},
    )
    assert r.status_code == 200
    book = {"vehicle_id": ids["bike"], "start": at(1), "end": at(2), "company_id": c["a"]}
    r = client.post("/api/v1/bookings", headers=nina, json=book)
    assert r.status_code == 403 and "e-bikes" in r.get_json()["message"]
    r = client.post("/api/v1/bookings", headers=nina, json={**book, "vehicle_id": ids["car"]})
    assert r.status_code == 402 and r.get_json()["error"] == "limit_exceeded"
    assert "10.00 EUR left" in r.get_json()["message"]
    r = client.post("/api/v1/bookings", headers=nina, json={**book, "company_id": None})
    assert r.status_code == 201  # privately, no company rules
    r = client.post("/api/v1/bookings", headers=nina, json={**book, "company_id": c["b"]})
    assert r.status_code == 403


def test_access_control_matrix_across_companies(client, two_companies):
    c = two_companies
    a, b = c["a"], c["b"]
    admin_paths = [
        f"/api/v1/fleet/companies/{{}}/{p}"
        for p in ("members", "cards", "usage", "invoices", "usage.csv")
    ]
    for path in admin_paths:
        assert client.get(path.format(a), headers=c["lea"]).status_code == 200
        assert client.get(path.format(a), headers=c["bob"]).status_code == 404  # outsider
        assert client.get(path.format(b), headers=c["lea"]).status_code == 404
        assert client.get(path.format(a), headers=c["hugo"]).status_code == 403  # member
    assert client.get(f"/api/v1/fleet/companies/{a}/vehicles", headers=c["hugo"]).status_code == 200
    writes = [
        ("post", f"/api/v1/fleet/companies/{a}/invitations", {"email": "z@z.example"}),
        ("post", f"/api/v1/fleet/companies/{a}/cards", {"id_tag": "EVIL-0001", "user_id": 1}),
        ("patch", f"/api/v1/fleet/companies/{a}", {"monthly_limit_minor": 1}),
        ("post", f"/api/v1/fleet/companies/{a}/cost-centres", {"code": "X"}),
        ("post", f"/api/v1/fleet/companies/{a}/vehicles", {"kind": "ecar", "code": "EVIL"}),
    ]
    for method, path, body in writes:
        assert getattr(client, method)(path, headers=c["hugo"], json=body).status_code == 403
        assert getattr(client, method)(path, headers=c["bob"], json=body).status_code == 404
    assert client.get(f"/api/v1/fleet/companies/{a}/members").status_code == 401


def test_cards_company_vehicles_usage_csv(client, two_companies, db):
    c = two_companies
    a = c["a"]
    me = client.get("/api/v1/me", headers=c["hugo"]).get_json()
    r = client.post(
        f"/api/v1/fleet/companies/{a}/cards",
        headers=c["lea"],
        json={"id_tag": "alpha-0002", "user_id": me["id"], "label": "Hugo #2"},
    )
    assert r.status_code == 201 and r.get_json()["id_tag"] == "ALPHA-0002"
    r = client.post(
        f"/api/v1/fleet/companies/{a}/cards",
        headers=c["lea"],
        json={"id_tag": "ALPHA-0002", "user_id": me["id"]},
    )
    assert r.status_code == 409
    r = client.post(f"/api/v1/fleet/companies/{a}/cards/ALPHA-0002/block", headers=c["lea"])
    assert r.status_code == 200
    with db.sessions() as s:
        card = s.scalar(select(IdToken).where(IdToken.id_tag == "ALPHA-0002"))
        assert card.status == "Blocked" and card.company_id == a
    r = client.post(
        f"/api/v1/fleet/companies/{a}/vehicles",
        headers=c["lea"],
        json={"kind": "ecar", "code": "ALPHA-CAR-1", "visibility": "fleet_only", "hub_id": None},
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/fleet/companies/{a}/vehicles",
        headers=c["lea"],
        json={"kind": "ecar", "code": "ALPHA-CAR-2", "visibility": "shared_hours"},
    )
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "public_hours"
    r = client.get(f"/api/v1/fleet/companies/{a}/usage.csv", headers=c["lea"])
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.get_data(as_text=True).startswith("member,cost_centre,trips")
    r = client.get(f"/api/v1/fleet/companies/{a}/usage?month=2026-13", headers=c["lea"])
    assert r.status_code == 422


def test_members_only_vehicle_is_hidden_from_the_public(client, two_companies, db, ids):
    c = two_companies
    r = client.post(
        f"/api/v1/fleet/companies/{c['a']}/vehicles",
        headers=c["lea"],
        json={
            "kind": "ecar",
            "code": "ALPHA-CAR-9",
            "visibility": "fleet_only",
            "hub_id": ids["hub"],
        },
    )
    vid = r.get_json()["id"]
    public = client.get(f"/api/v1/vehicles?hub_id={ids['hub']}&kind=ecar", headers=c["bob"])
    assert vid not in [v["id"] for v in public.get_json()["items"]]
    member = client.get(f"/api/v1/vehicles?hub_id={ids['hub']}&kind=ecar", headers=c["hugo"])
    assert vid in [v["id"] for v in member.get_json()["items"]]
    book = {"vehicle_id": vid, "start": at(1), "end": at(2)}
    assert client.post("/api/v1/bookings", headers=c["bob"], json=book).status_code == 403
    r = client.post("/api/v1/bookings", headers=c["hugo"], json={**book, "company_id": c["a"]})
    assert r.status_code == 201


def test_dashboard_and_signup_pages(client, two_companies):
    import re

    token = "fleet-admin@example.org"
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": token, "password": "demo-password-2026", "csrf_token": csrf}
    )
    html = client.get(f"/fleet/{two_companies['a']}").get_data(as_text=True)
    assert "Confluence Logistique SAS" in html and "driver@example.org" in html
    assert client.get(f"/fleet/{two_companies['b']}").status_code == 404
    page = client.get("/fleet/signup").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # new session, new token
    r = client.post("/fleet/signup", data={"csrf_token": csrf, "name": "Y", "vat_id": "nope"})
    assert r.status_code == 422 and "valid EU VAT id" in r.get_data(as_text=True)


SHARED = {"visibility": "shared_hours"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"visibility": "shared_hours", "public_hours": {"mon": "x"}}, "public_hours"),
        (
            {"visibility": "shared_hours", "public_hours": {"mon": [["19:00", "07:00"]]}},
            "public_hours",
        ),
        (
            {"visibility": "shared_hours", "public_hours": {"funday": [["07:00", "19:00"]]}},
            "public_hours",
        ),
        ({"max_range_km": "lots"}, "max_range_km"),
        ({"max_range_km": 10**12}, "max_range_km"),
        ({"battery_kwh": "NaN"}, "battery_kwh"),
        ({"seats": 99}, "seats"),
        ({"plate": "X" * 50}, "plate"),
        ({"hub_id": 99999}, "hub_id"),
        ({"hub_id": "1"}, "hub_id"),
    ],
)
def test_company_vehicle_fields_are_checked_when_written(client, two_companies, fields, field):
    c = two_companies
    body = {"kind": "ecar", "code": "ALPHA-CAR-9", "visibility": "fleet_only", **fields}
    r = client.post(f"/api/v1/fleet/companies/{c['a']}/vehicles", headers=c["lea"], json=body)
    assert r.status_code == 422 and r.get_json()["details"]["field"] == field


def test_one_bad_stored_row_never_breaks_search_for_everyone(client, db, ids):
    with db.transaction() as s:
        s.execute(
            update(Vehicle)
            .where(Vehicle.id == ids["car"])
            .values(visibility="shared_hours", public_hours={"mon": "x", "tue": [[1, None]]})
        )
    for query in ("", "?kind=ecar", f"?hub_id={ids['hub']}"):
        r = client.get(f"/api/v1/vehicles{query}")
        assert r.status_code == 200
        assert ids["car"] not in [v["id"] for v in r.get_json()["items"]]
    assert client.get("/search?kind=ecar").status_code == 200
