"""Console charger pages with the Flask client: role, CSRF, live status, commands, audit rows."""

import asyncio

import pytest
import websockets
from ocpp.v16 import call
from sqlalchemy import select

from mobility.app import ocpp_node
from mobility.bus import InProcessBus
from mobility.models import AuditEntry, Charger, ChargerCommand
from tests.e2e.console.conftest import audit_count, csrf_of
from tests.e2e.ocpp_server.conftest import connect

PAGES = [
    "/console/",
    "/console/chargers",
    "/console/chargers/CP-LYON-001",
    "/console/new-charger",
    "/console/sessions",
    "/console/live/sessions",
    "/console/audit",
    "/console/live/chargers",
    "/console/cards",
    "/console/fleet",
    "/console/bookings",
    "/console/trips",
    "/console/tariffs",
    "/console/tariffs/1",
    "/console/invoices",
    "/console/payments",
    "/console/people",
    "/console/static/console.css",
    "/console/static/vendor/uplot/uPlot.iife.min.js",
    "/console/static/charts.js",
]


def _token(client, url="/console/chargers/CP-LYON-001"):
    return csrf_of(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("url", PAGES)
def test_console_pages_are_for_operators_only(app, citizen, url):
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert citizen.get(url).status_code == 403


def test_citizen_cannot_post_a_command_even_with_a_csrf_token(citizen, db):
    token = csrf_of(citizen.get("/profile").get_data(as_text=True))
    r = citizen.post(
        "/console/chargers/CP-LYON-001/commands/Reset",
        data={"payload": '{"type": "Soft"}', "csrf_token": token},
    )
    assert r.status_code == 403 and audit_count(db, "charger.command") == 0


def test_forms_without_the_csrf_token_are_refused(operator, db):
    r = operator.post("/console/chargers/CP-LYON-001/password")
    assert r.status_code == 400 and "CSRF" in r.get_data(as_text=True)
    r = operator.post("/console/new-charger", data={"charge_point_id": "CP-X"})
    assert r.status_code == 400
    assert audit_count(db, "charger.rotate_password") == audit_count(db, "charger.register") == 0


def test_chargers_list_shows_live_status_node_and_connectors(operator, live):
    html = operator.get("/console/chargers").get_data(as_text=True)
    row = html.split('data-charger="CP-LYON-001"')[1].split("</tr>")[0]
    assert "Online" in row and live.server.settings.node_id in row and "1.6" in row
    other = html.split('data-charger="CP-LYON-002"')[1].split("</tr>")[0]
    assert "Offline" in other and "never" in other and "1: Unavailable" in other


def test_chargers_list_filters_and_pages(operator, live):
    def ids(query):
        html = operator.get("/console/chargers" + query).get_data(as_text=True)
        return [p.split('"')[0] for p in html.split('data-charger="')[1:]]

    assert ids("") == ["CP-LYON-001", "CP-LYON-002", "CP-LYON-003"]
    assert ids("?state=online") == ["CP-LYON-001"]
    assert ids("?state=offline") == ["CP-LYON-002", "CP-LYON-003"]
    assert ids("?q=lyon-003") == ["CP-LYON-003"]
    assert ids("?q=Perrache") == ["CP-LYON-003"]  # the name, from the hub
    assert ids("?registration=Rejected") == []
    assert ids("?per_page=2&page=2") == ["CP-LYON-003"]
    assert "Page 2 of 2" in operator.get("/console/chargers?per_page=2&page=2").get_data(
        as_text=True
    )
    assert operator.get("/console/chargers?registration=Nope").status_code == 422
    assert operator.get("/console/chargers?page=0").status_code == 422


def test_command_form_sends_through_the_bus_and_shows_the_answer(operator, live, db):
    r = operator.post(
        "/console/chargers/CP-LYON-001/commands/Reset",
        data={"payload": '{"type": "Soft"}', "csrf_token": _token(operator)},
    )
    assert r.status_code == 303 and r.headers["Location"].endswith("#commands")
    html = operator.get(r.headers["Location"]).get_data(as_text=True)
    assert "Reset: the charger answered {&#39;status&#39;: &#39;Accepted&#39;}" in html
    with db.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "charger.command"))
        cmd = s.scalar(select(ChargerCommand).where(ChargerCommand.action == "Reset"))
    assert entry.actor_email == "operator@example.org" and entry.target_id == "CP-LYON-001"
    assert entry.details == {"command": "Reset", "payload": {"type": "Soft"}}
    assert cmd.status == "answered" and cmd.response == {"status": "Accepted"}


def test_every_catalogue_command_has_a_form_but_the_reservation_ones(operator, live):
    from ocpp_server.v16.commands import COMMANDS

    html = operator.get("/console/chargers/CP-LYON-001").get_data(as_text=True)
    forms = [p.split('"')[0] for p in html.split('data-action="')[1:]]
    assert forms == [c for c in COMMANDS if c not in ("ReserveNow", "CancelReservation")]
    for action in ("ReserveNow", "CancelReservation"):  # their own forms, through the use case
        r = operator.post(
            f"/console/chargers/CP-LYON-001/commands/{action}",
            data={"payload": "{}", "csrf_token": _token(operator)},
        )
        assert r.status_code == 404


def test_command_errors_are_shown_with_their_status(operator, db):
    token = _token(operator)
    url = "/console/chargers/CP-LYON-002/commands/Reset"
    r = operator.post(url, data={"payload": "[1, 2]", "csrf_token": token})
    assert r.status_code == 422 and "must be a JSON object" in r.get_data(as_text=True)
    r = operator.post(url, data={"payload": "{nope", "csrf_token": token})
    assert r.status_code == 422 and "{nope</textarea>" in r.get_data(as_text=True)  # kept
    r = operator.post(url, data={"payload": '{"type": "Hard"}', "csrf_token": token})
    assert r.status_code == 503 and "not connected" in r.get_data(as_text=True)
    with db.sessions() as s:
        cmd = s.scalar(select(ChargerCommand).where(ChargerCommand.action == "Reset"))
    # Asked for but never sent: in the history as offline, and in the audit log.
    assert cmd.status == "offline" and cmd.requested_by_id is not None
    assert audit_count(db, "charger.command") == 1


def _password(response) -> str:
    return response.get_data(as_text=True).split('<code id="charger-password">')[1].split("<")[0]


async def _boot(node, cp_id, password) -> str:
    async with connect(node, cp_id, password) as cp:
        boot = await cp.call(call.BootNotification(charge_point_vendor="V", charge_point_model="M"))
        return boot.status


def test_registration_shows_the_password_once(operator, db):
    r = operator.post(
        "/console/new-charger",
        data={
            "charge_point_id": "CP-NEW-7",
            "name": "Quai 7",
            "max_power_w": "22000",
            "is_public": "on",
            "csrf_token": _token(operator, "/console/new-charger"),
        },
    )
    assert r.status_code == 201 and r.headers["Cache-Control"] == "no-store"
    password = _password(r)
    assert len(password) >= 16
    later = operator.get("/console/chargers/CP-NEW-7").get_data(as_text=True)
    assert password not in later and "No connector reported yet." in later
    assert audit_count(db, "charger.register") == 1


async def test_registered_charger_connects_and_a_rotated_password_replaces_the_old(
    operator, db, settings
):
    r = operator.post(
        "/console/new-charger",
        data={
            "charge_point_id": "CP-NEW-8",
            "csrf_token": _token(operator, "/console/new-charger"),
        },
    )
    password = _password(r)
    node = ocpp_node(settings, db=db, bus=InProcessBus())
    await node.start()
    try:
        assert await _boot(node, "CP-NEW-8", password) == "Accepted"
        token = _token(operator, "/console/chargers/CP-NEW-8")
        rotated = operator.post("/console/chargers/CP-NEW-8/password", data={"csrf_token": token})
        fresh = _password(rotated)
        assert fresh != password and audit_count(db, "charger.rotate_password") == 1
        with pytest.raises(websockets.InvalidStatus):
            await _boot(node, "CP-NEW-8", password)
        assert await _boot(node, "CP-NEW-8", fresh) == "Accepted"
    finally:
        await asyncio.wait_for(node.stop(), 10)


def test_registration_is_validated(operator, db):
    token = _token(operator, "/console/new-charger")
    r = operator.post(
        "/console/new-charger", data={"charge_point_id": "bad id/1", "csrf_token": token}
    )
    assert r.status_code == 422 and "letters, digits" in r.get_data(as_text=True)
    r = operator.post(
        "/console/new-charger", data={"charge_point_id": "CP-LYON-001", "csrf_token": token}
    )
    assert r.status_code == 409 and "already registered" in r.get_data(as_text=True)
    r = operator.post(
        "/console/new-charger",
        data={"charge_point_id": "CP-OK", "max_power_w": "lots", "csrf_token": token},
    )
    assert r.status_code == 422 and audit_count(db, "charger.register") == 0


def test_edit_and_deactivate_with_a_reason(operator, db):
    token = _token(operator)
    with db.sessions() as s:
        hub_id = s.scalar(select(Charger.hub_id).where(Charger.charge_point_id == "CP-LYON-001"))
    r = operator.post(
        "/console/chargers/CP-LYON-001/edit",
        data={
            "name": "Nautique fast",
            "hub_id": str(hub_id),
            "max_power_w": "50000",
            "csrf_token": token,
        },
    )
    assert r.status_code == 303
    url = "/console/chargers/CP-LYON-001/registration"
    r = operator.post(url, data={"active": "false", "reason": " ", "csrf_token": token})
    assert r.status_code == 422 and "Say why." in r.get_data(as_text=True)
    r = operator.post(url, data={"active": "false", "reason": "vandalised", "csrf_token": token})
    assert r.status_code == 303
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        entries = {
            e.action: e
            for e in s.scalars(select(AuditEntry).where(AuditEntry.target_id == "CP-LYON-001"))
        }
    assert charger.name == "Nautique fast" and charger.max_power_w == 50000
    assert charger.registration_status == "Rejected" and charger.is_public is False
    # Only what changed is recorded (the hub was sent unchanged).
    assert entries["charger.update"].details == {
        "name": "Nautique fast",
        "max_power_w": 50000,
        "is_public": False,
    }
    assert entries["charger.deactivate"].reason == "vandalised"
    assert "Reactivate charger" in operator.get("/console/chargers/CP-LYON-001").get_data(
        as_text=True
    )


def test_unknown_charger_is_404(operator):
    assert operator.get("/console/chargers/NOPE").status_code == 404


def test_live_rows_answer_304_until_something_shown_changes(operator, db):
    r = operator.get("/console/live/chargers?q=lyon-00")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache"
    etag = r.headers["ETag"]
    assert r.get_data(as_text=True).count("<tr data-charger=") == 3
    again = operator.get("/console/live/chargers?q=lyon-00", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-002"))
        charger.connectors[0].status = "Charging"
    changed = operator.get("/console/live/chargers?q=lyon-00", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "1: Charging" in changed.get_data(as_text=True)


def test_audit_page_lists_a_records_entries(operator, db):
    token = _token(operator)
    url = "/console/chargers/CP-LYON-001/registration"
    operator.post(url, data={"active": "false", "reason": "vandalised", "csrf_token": token})
    operator.post("/console/chargers/CP-LYON-002/password", data={"csrf_token": token})
    html = operator.get("/console/audit?target_type=charger&target_id=CP-LYON-001").get_data(
        as_text=True
    )
    assert "charger.deactivate" in html and "vandalised" in html and "operator@example.org" in html
    assert "CP-LYON-002" not in html.split('id="audit"')[1]
    assert "charger.rotate_password" in operator.get("/console/audit").get_data(as_text=True)
