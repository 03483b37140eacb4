"""Named mirrors of the Open Charge Alliance's OCPP 1.6 test cases for a central system.

Each test plays the charger's side of one OCA test case (TC_xxx) against the real server and
checks the CSMS's side of it. Cases that do not apply to a central system, or that need the
Security whitepaper, are listed in docs/ocpp.md with the reason.
"""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call
from sqlalchemy import select

from mobility.errors import ChargerRefused
from mobility.models import Charger, ChargingTransaction, IdToken, RegistrationStatus, Reservation
from ocpp_server import commands
from tests.e2e.ocpp_server.charger16 import Charger16
from tests.e2e.ocpp_server.conftest import connect

CP = "CP-LYON-001"
CARD = "RFID-CONFLUENCE-0001"
BOOT = call.BootNotification(charge_point_vendor="Acme", charge_point_model="Wallbox 22")


def _now(delta=timedelta()):
    return (datetime.now(UTC) + delta).isoformat()


async def _session(cp, connector=1, tag=CARD):
    started = await cp.call(
        call.StartTransaction(connector_id=connector, id_tag=tag, meter_start=0, timestamp=_now())
    )
    return started


async def test_tc_001_cold_boot_charge_point(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        boot = await cp.call(BOOT)
        assert boot.status == "Accepted" and boot.interval > 0 and boot.current_time.endswith("Z")
        await cp.call(
            call.StatusNotification(connector_id=0, error_code="NoError", status="Available")
        )
        assert (await cp.call(call.Heartbeat())).current_time.endswith("Z")


async def test_tc_002_cold_boot_charge_point_pending(server, db):
    with db.transaction() as s:
        s.scalar(
            select(Charger).where(Charger.charge_point_id == CP)
        ).registration_status = RegistrationStatus.PENDING
    async with connect(server, CP, charger_class=Charger16) as cp:
        assert (await cp.call(BOOT)).status == "Pending"
        # While pending the CSMS may still configure it.
        assert await server.execute(CP, "GetConfiguration", {"key": ["HeartbeatInterval"]})


async def test_tc_003_regular_charging_session_plugin_first(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Preparing")
        )
        assert (await cp.call(call.Authorize(id_tag=CARD))).id_tag_info["status"] == "Accepted"
        started = await _session(cp)
        assert started.id_tag_info["status"] == "Accepted"
        await cp.call(
            call.StatusNotification(connector_id=1, error_code="NoError", status="Charging")
        )
        stop = await cp.call(
            call.StopTransaction(
                meter_stop=4000, timestamp=_now(), transaction_id=started.transaction_id
            )
        )
        assert stop.id_tag_info is None or stop.id_tag_info["status"] == "Accepted"
    with db.sessions() as s:
        assert s.get(ChargingTransaction, started.transaction_id).energy_wh == 4000


async def test_tc_004_1_regular_charging_session_identification_first(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        assert (await cp.call(call.Authorize(id_tag=CARD))).id_tag_info["status"] == "Accepted"
        assert (await _session(cp)).id_tag_info["status"] == "Accepted"


async def test_tc_005_1_ev_side_disconnected(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        tx = (await _session(cp)).transaction_id
        await cp.call(
            call.StopTransaction(
                meter_stop=100, timestamp=_now(), transaction_id=tx, reason="EVDisconnected"
            )
        )
    with db.sessions() as s:
        assert s.get(ChargingTransaction, tx).stop_reason == "EVDisconnected"


async def test_tc_007_regular_start_charging_session_cached_id(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        # No Authorize: the charger trusted its cache; StartTransaction still validates.
        assert (await _session(cp)).id_tag_info["status"] == "Accepted"


async def test_tc_010_and_011_remote_start_charging_session(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        answer = await server.execute(
            CP, "RemoteStartTransaction", {"idTag": CARD, "connectorId": 1}
        )
        assert answer == {"status": "Accepted"}
        assert (await _session(cp)).id_tag_info["status"] == "Accepted"


async def test_tc_012_remote_stop_charging_session(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        tx = (await _session(cp)).transaction_id
        assert await server.execute(CP, "RemoteStopTransaction", {"transactionId": tx}) == {
            "status": "Accepted"
        }
        await cp.call(
            call.StopTransaction(
                meter_stop=10, timestamp=_now(), transaction_id=tx, reason="Remote"
            )
        )


async def test_tc_013_to_016_hard_and_soft_reset(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        for kind in ("Hard", "Soft"):
            assert await server.execute(CP, "Reset", {"type": kind}) == {"status": "Accepted"}
            assert (await cp.call(BOOT)).status == "Accepted"


async def test_tc_017_unlock_connector(server):
    async with connect(server, CP, charger_class=Charger16):
        assert await server.execute(CP, "UnlockConnector", {"connectorId": 1}) == {
            "status": "Unlocked"
        }


async def test_tc_019_retrieve_configuration(server):
    async with connect(server, CP, charger_class=Charger16):
        everything = await server.execute(CP, "GetConfiguration", {})
        assert {k["key"] for k in everything["configurationKey"]} >= {"HeartbeatInterval"}
        one = await server.execute(CP, "GetConfiguration", {"key": ["HeartbeatInterval"]})
        assert [k["key"] for k in one["configurationKey"]] == ["HeartbeatInterval"]


async def test_tc_021_change_configuration(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        answer = await server.execute(
            CP, "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}
        )
        assert answer == {"status": "Accepted"} and cp.config["HeartbeatInterval"][0] == "120"
        assert (await cp.call(BOOT)).interval == 120


async def test_tc_023_start_charging_session_authorize_invalid_blocked_expired(server, db):
    with db.transaction() as s:
        s.add(IdToken(id_tag="CARD-BLOCKED", status="Blocked"))
        s.add(IdToken(id_tag="CARD-EXPIRED", expires_at=datetime.now(UTC) - timedelta(days=1)))
    async with connect(server, CP, charger_class=Charger16) as cp:
        for tag, status in (
            ("CARD-NONE", "Invalid"),
            ("CARD-BLOCKED", "Blocked"),
            ("CARD-EXPIRED", "Expired"),
        ):
            assert (await cp.call(call.Authorize(id_tag=tag))).id_tag_info["status"] == status


async def test_tc_032_1_power_failure_stops_transactions_at_boot(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        tx = (await _session(cp)).transaction_id
        await cp.call(BOOT)
        await cp.call(
            call.StopTransaction(
                meter_stop=50, timestamp=_now(), transaction_id=tx, reason="PowerLoss"
            )
        )
    with db.sessions() as s:
        assert s.get(ChargingTransaction, tx).stop_reason == "PowerLoss"


async def test_tc_037_and_039_offline_transactions_replayed(server, db):
    earlier = datetime.now(UTC) - timedelta(hours=3)
    async with connect(server, CP, charger_class=Charger16) as cp:
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=CARD, meter_start=0, timestamp=earlier.isoformat()
            )
        )
        await cp.call(
            call.StopTransaction(
                meter_stop=3000,
                timestamp=(earlier + timedelta(hours=1)).isoformat(),
                transaction_id=started.transaction_id,
            )
        )
    with db.sessions() as s:
        assert s.get(ChargingTransaction, started.transaction_id).started_at == earlier


async def test_tc_040_configuration_key_wrong_value_or_unknown(server):
    async with connect(server, CP, charger_class=Charger16):
        readonly = await server.execute(
            CP, "ChangeConfiguration", {"key": "SupportedFeatureProfiles", "value": "Core"}
        )
        unknown = await server.execute(
            CP, "ChangeConfiguration", {"key": "NoSuchKey", "value": "1"}
        )
        assert readonly == {"status": "Rejected"} and unknown == {"status": "NotSupported"}


async def test_tc_042_get_local_list_version(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        cp.list_version = 4
        assert await server.execute(CP, "GetLocalListVersion", {}) == {"listVersion": 4}


async def test_tc_043_send_local_authorization_list_full_and_differential(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        await cp.call(BOOT)
        await cp.wait_for("SendLocalList")
        assert cp.got("SendLocalList")[0]["update_type"] == "Full"
        assert CARD in cp.local_list


async def test_tc_044_firmware_update_and_status_notifications(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        assert (
            await server.execute(
                CP,
                "UpdateFirmware",
                {"location": "https://fw.example.org/1.bin", "retrieveDate": _now()},
            )
            == {}
        )
        for status in ("Downloading", "Downloaded", "Installing", "Installed"):
            await cp.call(call.FirmwareStatusNotification(status=status))
    with db.sessions() as s:
        assert (
            s.scalar(select(Charger.firmware_status).where(Charger.charge_point_id == CP))
            == "Installed"
        )


async def test_tc_045_get_diagnostics(server, db):
    async with connect(server, CP, charger_class=Charger16) as cp:
        answer = await server.execute(CP, "GetDiagnostics", {"location": "ftp://diag.example.org/"})
        assert answer == {"fileName": "diag.zip"}
        await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"))
    with db.sessions() as s:
        assert (
            s.scalar(select(Charger.diagnostics_status).where(Charger.charge_point_id == CP))
            == "Uploaded"
        )


async def test_tc_046_reservation_of_a_connector_then_local_start(server, db):
    rid = await asyncio.to_thread(
        commands.create_reservation, server.db, CP, 1, CARD, datetime.now(UTC) + timedelta(hours=1)
    )
    async with connect(server, CP, charger_class=Charger16) as cp:
        answer = await server.execute(
            CP,
            "ReserveNow",
            {
                "connectorId": 1,
                "idTag": CARD,
                "expiryDate": _now(timedelta(hours=1)),
                "reservationId": rid,
            },
        )
        assert answer == {"status": "Accepted"}
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag=CARD, meter_start=0, timestamp=_now(), reservation_id=rid
            )
        )
    with db.sessions() as s:
        res = s.get(Reservation, rid)
        assert res.status == "used" and res.transaction_id == started.transaction_id


async def test_tc_047_reservation_expires(server, db):
    rid = await asyncio.to_thread(
        commands.create_reservation,
        server.db,
        CP,
        1,
        CARD,
        datetime.now(UTC) - timedelta(seconds=1),
    )
    assert await asyncio.to_thread(server.charging.expire_reservations) == 1
    with db.sessions() as s:
        assert s.get(Reservation, rid).status == "expired"


async def test_tc_051_cancel_reservation(server, db):
    rid = await asyncio.to_thread(
        commands.create_reservation, server.db, CP, 1, CARD, datetime.now(UTC) + timedelta(hours=1)
    )
    async with connect(server, CP, charger_class=Charger16):
        assert await server.execute(CP, "CancelReservation", {"reservationId": rid}) == {
            "status": "Accepted"
        }
    with db.sessions() as s:
        assert s.get(Reservation, rid).status == "cancelled"


async def test_tc_053_use_a_reserved_connector_with_parent_id_tag(server, db):
    with db.transaction() as s:
        s.add(IdToken(id_tag="CARD-SIBLING", parent_id_tag="FLEET-1"))
    rid = await asyncio.to_thread(
        commands.create_reservation,
        server.db,
        CP,
        1,
        "CARD-OTHER",
        datetime.now(UTC) + timedelta(hours=1),
        None,
        "FLEET-1",
    )
    async with connect(server, CP, charger_class=Charger16) as cp:
        info = (await cp.call(call.Authorize(id_tag="CARD-SIBLING"))).id_tag_info
        assert info["parent_id_tag"] == "FLEET-1"  # the charger matches it with the reservation
        await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="CARD-SIBLING",
                meter_start=0,
                timestamp=_now(),
                reservation_id=rid,
            )
        )
    with db.sessions() as s:
        assert s.get(Reservation, rid).status == "used"


async def test_tc_054_trigger_message(server):
    async with connect(server, CP, charger_class=Charger16):
        answer = await server.execute(CP, "TriggerMessage", {"requestedMessage": "Heartbeat"})
        assert answer == {"status": "Accepted"}


async def test_tc_056_and_057_central_smart_charging_tx_default_and_tx_profile(server):
    profile = {
        "chargingProfileId": 1,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "startSchedule": _now(),
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16}],
        },
    }
    async with connect(server, CP, charger_class=Charger16) as cp:
        assert await server.execute(
            CP, "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": profile}
        ) == {"status": "Accepted"}
        tx = (await _session(cp)).transaction_id
        tx_profile = {
            **profile,
            "chargingProfileId": 2,
            "chargingProfilePurpose": "TxProfile",
            "transactionId": tx,
        }
        assert await server.execute(
            CP, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": tx_profile}
        ) == {"status": "Accepted"}
        assert len(cp.got("SetChargingProfile")) == 2


async def test_tc_059_remote_start_with_charging_profile(server):
    profile = {
        "chargingProfileId": 3,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}],
        },
    }
    async with connect(server, CP, charger_class=Charger16):
        answer = await server.execute(
            CP,
            "RemoteStartTransaction",
            {"idTag": CARD, "connectorId": 1, "chargingProfile": profile},
        )
        assert answer == {"status": "Accepted"}


async def test_tc_061_clear_authorization_cache(server):
    async with connect(server, CP, charger_class=Charger16):
        assert await server.execute(CP, "ClearCache", {}) == {"status": "Accepted"}


async def test_tc_062_data_transfer_to_a_charge_point(server):
    async with connect(server, CP, charger_class=Charger16):
        # The simulated charger knows no vendor data: its CallError reaches the caller.
        with pytest.raises(ChargerRefused) as refused:
            await server.execute(CP, "DataTransfer", {"vendorId": "org.example"})
        assert refused.value.details["charger_code"] in ("NotImplemented", "NotSupported")


async def test_tc_064_data_transfer_to_a_central_system(server):
    async with connect(server, CP, charger_class=Charger16) as cp:
        answer = await cp.call(call.DataTransfer(vendor_id="org.example", data="hello"))
        assert answer.status == "UnknownVendorId"


async def test_tc_066_get_composite_schedule_and_067_clear_charging_profile(server):
    async with connect(server, CP, charger_class=Charger16):
        composite = await server.execute(
            CP, "GetCompositeSchedule", {"connectorId": 1, "duration": 3600}
        )
        assert composite["status"] == "Accepted"
        assert await server.execute(CP, "ClearChargingProfile", {"id": 1}) == {"status": "Accepted"}
