"""1.6 state the CSMS keeps per charger: local lists, configuration, reservations, profiles."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlalchemy import select

from mobility.app import build_core, create_app, ocpp_node
from mobility.bus import InProcessBus
from mobility.models import (
    ApiToken,
    Booking,
    Charger,
    ChargerCommand,
    IdToken,
    LocalListEntry,
    Reservation,
    User,
    Vehicle,
)
from mobility.security import token_digest
from ocpp_server import jobs
from ocpp_server.v16 import quirks
from tests.e2e.ocpp_server.charger16 import Charger16
from tests.e2e.ocpp_server.conftest import connect

CP = "CP-LYON-001"
BOOT = call.BootNotification(charge_point_vendor="Acme", charge_point_model="Wallbox 22")


def _cards(db, **statuses):
    """Cards beside the demo's; `name=(status, expires, parent)`."""
    with db.transaction() as s:
        for tag, (status, expires, parent) in statuses.items():
            s.add(IdToken(id_tag=tag, status=status, expires_at=expires, parent_id_tag=parent))


def _operator(db):
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "operator@example.org"))
        s.add(
            ApiToken(
                user_id=user.id, token_hash=token_digest("op-secret"), created_at=datetime.now(UTC)
            )
        )
    return {"Authorization": "Bearer op-secret"}


def _synced(db):
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == CP))
        return charger.local_list_version, charger.local_list_synced_version


async def _until(check, seconds=10):
    for _ in range(seconds * 50):
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def _settled(server):
    await server.flush_reports()
    await server.presence.flush()


async def test_local_list_full_on_first_contact_then_differential_on_change(server, db):
    past = datetime.now(UTC) - timedelta(days=1)
    _cards(db, **{"CARD-BLOCKED": ("Blocked", None, None), "CARD-OLD": ("Accepted", past, None)})
    async with connect(server, CP, charger_class=Charger16) as cp:
        await cp.call(BOOT)
        await cp.wait_for("SendLocalList")
        [full] = cp.got("SendLocalList")
        assert full["update_type"] == "Full" and full["list_version"] == 1
        assert {k: v["status"] for k, v in cp.local_list.items()} == {
            "RFID-CONFLUENCE-0001": "Accepted",
            "CARD-BLOCKED": "Blocked",
            "CARD-OLD": "Expired",
        }
        await _until(lambda: _synced(db) == (1, 1))  # the answer is recorded after it arrives
        with db.sessions() as s:
            assert len(s.scalars(select(LocalListEntry)).all()) == 3
        # A card is blocked, another issued: the job sends only the differences.
        with db.transaction() as s:
            s.scalar(
                select(IdToken).where(IdToken.id_tag == "RFID-CONFLUENCE-0001")
            ).status = "Blocked"
            s.add(IdToken(id_tag="CARD-NEW", parent_id_tag="RFID-CONFLUENCE-0001"))
        # The job serves chargers the database says are online 1.6 ones (both written in batches).
        await server.presence.flush()
        await server.flush_reports()
        assert await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus) == 1
        diff = cp.got("SendLocalList")[1]
        assert diff["update_type"] == "Differential" and diff["list_version"] == 2
        sent = {i["id_tag"]: i["id_tag_info"] for i in diff["local_authorization_list"]}
        assert sent == {
            "CARD-NEW": {"status": "Accepted", "parent_id_tag": "RFID-CONFLUENCE-0001"},
            "RFID-CONFLUENCE-0001": {"status": "Blocked"},
        }
        # In step now: nothing more to send.
        assert await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus) == 0


async def test_list_length_limits_are_respected_and_a_lagging_charger_gets_it_again(server, db):
    _cards(db, **{f"CARD-{n}": ("Accepted", None, None) for n in range(4)})
    async with connect(server, CP, charger_class=Charger16) as cp:
        cp.config["SendLocalListMaxLength"] = ["2", True]
        await server.execute(CP, "GetConfiguration", {})  # the store learns the limits
        await cp.call(BOOT)
        await cp.wait_for("SendLocalList", 3)
        kinds = [
            (p["update_type"], len(p["local_authorization_list"])) for p in cp.got("SendLocalList")
        ]
        assert kinds == [("Full", 2), ("Differential", 2), ("Differential", 1)]
        assert len(cp.local_list) == 5 and cp.list_version == 3
        # The charger loses its list (a factory reset): the version audit finds version 0 and
        # the sync job sends it in full again. A plain reboot costs no list traffic at all.
        cp.local_list, cp.list_version = {}, 0
        await cp.call(BOOT)
        await server.presence.flush()
        await server.flush_reports()
        assert len(cp.got("SendLocalList")) == 3
        assert await asyncio.to_thread(jobs.audit_local_lists, server.charging, server.bus) == 1
        await asyncio.to_thread(jobs.sync_local_lists, server.charging, server.bus)
        await cp.wait_for("SendLocalList", 6)
        assert cp.got("SendLocalList")[3]["update_type"] == "Full"
        assert len(cp.local_list) == 5 and cp.list_version == 6


async def test_configuration_store_with_readonly_unknown_keys_and_reboot_required(
    server, db, settings
):
    headers = _operator(db)
    client = create_app(settings, db=db, bus=server.bus).test_client()
    async with connect(server, CP, charger_class=Charger16) as cp:
        await server.execute(CP, "GetConfiguration", {"key": ["HeartbeatInterval", "Nope"]})
        await server.execute(CP, "GetConfiguration", {})
        answer = await server.execute(
            CP, "ChangeConfiguration", {"key": "MeterValueSampleInterval", "value": "15"}
        )
        assert answer == {"status": "RebootRequired"}
        r = await asyncio.to_thread(client.get, f"/api/v1/operator/chargers/{CP}", headers=headers)
        view = r.get_json()["configuration"]
        keys = {k["key"]: k for k in view["keys"]}
        assert view["reboot_required"] is True
        assert keys["MeterValueSampleInterval"]["value"] == "60"
        assert keys["MeterValueSampleInterval"]["pending_value"] == "15"
        assert keys["SupportedFeatureProfiles"]["readonly"] is True
        assert keys["Nope"]["known"] is False
        rejected = await server.execute(
            CP, "ChangeConfiguration", {"key": "ChargeProfileMaxStackLevel", "value": "9"}
        )
        assert rejected == {"status": "Rejected"}
        await cp.call(BOOT)  # the reboot it asked for
        await _settled(server)
        r = await asyncio.to_thread(client.get, f"/api/v1/operator/chargers/{CP}", headers=headers)
        view = r.get_json()["configuration"]
        keys = {k["key"]: k for k in view["keys"]}
        assert view["reboot_required"] is False
        assert keys["MeterValueSampleInterval"]["value"] == "15"
        assert keys["ChargeProfileMaxStackLevel"] == {
            **keys["ChargeProfileMaxStackLevel"],
            "value": "3",
            "change_status": "Rejected",
        }


@pytest.fixture
def probing_server(db, settings):
    async def start(**changes):
        srv = ocpp_node(settings.with_(**changes), db=db, bus=InProcessBus())
        await srv.start()
        return srv

    return start


async def test_quirk_14_probing_is_off_by_default_and_skips_quirky_models(
    server, db, settings, probing_server, monkeypatch
):
    async with connect(server, CP, charger_class=Charger16) as cp:
        await cp.call(BOOT)
        await cp.wait_for("SendLocalList")
        assert cp.got("GetConfiguration") == []
    await server.stop()
    srv = await probing_server(ocpp_probe_configuration=True)
    try:
        async with connect(srv, CP, charger_class=Charger16) as cp:
            await cp.call(BOOT)
            await cp.wait_for("GetConfiguration")
            assert cp.got("GetConfiguration")[0]["key"] == list(quirks.USED_KEYS)
        fragile = quirks.Quirks(probe_configuration=False, note="reboots on GetConfiguration")
        monkeypatch.setattr(quirks, "TABLE", [("^acme$", "wallbox", fragile)])
        async with connect(srv, "CP-LYON-002", charger_class=Charger16) as cp:
            await cp.call(BOOT)
            await cp.wait_for("SendLocalList")
            assert cp.got("GetConfiguration") == []
    finally:
        await srv.stop()
    with db.sessions() as s:
        asked = s.scalars(
            select(ChargerCommand.action).where(ChargerCommand.action == "GetConfiguration")
        )
        assert len(asked.all()) == 1


async def test_charging_profiles_are_checked_against_the_charger_before_sending(
    server, db, settings
):
    headers = _operator(db)
    client = create_app(settings, db=db, bus=server.bus).test_client()
    profile = {
        "chargingProfileId": 3,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400}],
        },
    }
    url = f"/api/v1/operator/chargers/{CP}/commands/SetChargingProfile"
    async with connect(server, CP, charger_class=Charger16) as cp:
        await server.execute(CP, "GetConfiguration", {})  # it takes Current only
        body = {"connectorId": 1, "csChargingProfiles": profile}
        r = await asyncio.to_thread(client.post, url, json=body, headers=headers)
        assert r.status_code == 422
        message = r.get_json()["message"]
        assert "startSchedule" in message and "W is not allowed by this charger" in message
        profile["chargingSchedule"] |= {
            "chargingRateUnit": "A",
            "startSchedule": "2026-06-01T00:00:00Z",
        }
        profile["chargingSchedule"]["chargingSchedulePeriod"] = [{"startPeriod": 0, "limit": 16}]
        r = await asyncio.to_thread(client.post, url, json=body, headers=headers)
        assert r.status_code == 200 and r.get_json()["response"] == {"status": "Accepted"}
        assert len(cp.got("SetChargingProfile")) == 1


async def test_reservation_with_parent_id_tag_is_cancelled_on_the_charger_with_its_booking(
    server, db, settings
):
    headers = _operator(db)
    core = build_core(settings, db=db, bus=server.bus)
    client = create_app(settings, db=db, bus=server.bus).test_client()
    now = datetime.now(UTC)
    with db.transaction() as s:
        citizen = s.scalar(select(User).where(User.email == "citizen@example.org"))
        car = s.scalar(select(Vehicle).where(Vehicle.code == "CAR-101"))
        booking = Booking(
            user_id=citizen.id,
            vehicle_id=car.id,
            hub_id=car.hub_id,
            start_at=now + timedelta(days=2),
            end_at=now + timedelta(days=2, hours=2),
            block_end_at=now + timedelta(days=2, hours=3),
        )
        s.add(booking)
        s.add(IdToken(id_tag="CARD-FLEET-2", parent_id_tag="FLEET-CONFLUENCE", user_id=citizen.id))
        s.flush()
        citizen_id, booking_id = citizen.id, booking.id
    expiry = (now + timedelta(hours=1)).isoformat()
    async with connect(server, CP, charger_class=Charger16) as cp:
        r = await asyncio.to_thread(
            client.post,
            f"/api/v1/operator/chargers/{CP}/commands/ReserveNow?booking={booking_id}",
            json={"connectorId": 1, "idTag": "CARD-FLEET-2", "expiryDate": expiry},
            headers=headers,
        )
        assert r.status_code == 200, r.get_json()
        [reserve] = cp.got("ReserveNow")
        assert reserve["parent_id_tag"] == "FLEET-CONFLUENCE"
        await asyncio.to_thread(core.bookings.cancel, citizen_id, booking_id)
        await asyncio.to_thread(core.outbox.flush, 10)
        [cancel] = cp.got("CancelReservation")
        assert cancel["reservation_id"] == reserve["reservation_id"]
    with db.sessions() as s:
        res = s.get(Reservation, reserve["reservation_id"])
        assert (res.status, res.booking_id, res.parent_id_tag) == (
            "cancelled",
            booking_id,
            "FLEET-CONFLUENCE",
        )
    core.outbox.close()
