"""CSMS-initiated commands go through the command bus to a real charger and are persisted."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from ocpp.v16 import call as v16call
from sqlalchemy import select

from mobility.errors import ChargerUnavailable, CommandTimeout, ValidationFailed
from mobility.models import Charger, ChargerCommand, Connector, Reservation
from ocpp_server import commands
from tests.e2e.ocpp_server.conftest import connect

LATER = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
PROFILE = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": {
        "chargingRateUnit": "W",
        "startSchedule": datetime.now(UTC).isoformat(),
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
    },
}
COMMANDS = [
    (
        "RemoteStartTransaction",
        {"idTag": "RFID-CONFLUENCE-0001", "connectorId": 1},
        {"status": "Accepted"},
    ),
    ("RemoteStopTransaction", {"transactionId": 1}, {"status": "Accepted"}),
    ("Reset", {"type": "Soft"}, {"status": "Accepted"}),
    ("ChangeAvailability", {"connectorId": 2, "type": "Inoperative"}, {"status": "Accepted"}),
    ("UnlockConnector", {"connectorId": 1}, {"status": "Unlocked"}),
    ("GetConfiguration", {"key": ["HeartbeatInterval"]}, None),
    ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "120"}, {"status": "Accepted"}),
    ("ClearCache", {}, {"status": "Accepted"}),
    (
        "TriggerMessage",
        {"requestedMessage": "StatusNotification", "connectorId": 1},
        {"status": "Accepted"},
    ),
    ("CancelReservation", {"reservationId": 99}, {"status": "Accepted"}),
    (
        "SetChargingProfile",
        {"connectorId": 1, "csChargingProfiles": PROFILE},
        {"status": "Accepted"},
    ),
    ("ClearChargingProfile", {"id": 1}, {"status": "Accepted"}),
    ("GetCompositeSchedule", {"connectorId": 1, "duration": 3600}, None),
    (
        "SendLocalList",
        {
            "listVersion": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {"idTag": "RFID-CONFLUENCE-0001", "idTagInfo": {"status": "Accepted"}}
            ],
        },
        {"status": "Accepted"},
    ),
    ("GetLocalListVersion", {}, {"listVersion": 7}),
    ("UpdateFirmware", {"location": "https://fw.example.org/4.2.bin", "retrieveDate": LATER}, {}),
    ("GetDiagnostics", {"location": "ftp://diag.example.org/"}, {"fileName": "diag.zip"}),
]


@pytest.mark.parametrize(("action", "payload", "expected"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_each_command_reaches_the_charger_and_is_recorded(
    server, db, action, payload, expected
):
    async with connect(server):
        await asyncio.sleep(0.05)
        answer = await server.bus.call("CP-LYON-001", action, payload, timeout=5)
    if expected is not None:
        assert answer == expected
    with db.sessions() as s:
        cmd = s.scalar(select(ChargerCommand).where(ChargerCommand.action == action))
        assert cmd.status == "answered" and cmd.payload == payload and cmd.response == answer


async def test_reserve_now_records_the_reservation(server, db):
    res_id = commands.create_reservation(
        db, "CP-LYON-001", 1, "RFID-CONFLUENCE-0001", datetime.now(UTC) + timedelta(minutes=30)
    )
    async with connect(server):
        answer = await server.bus.call(
            "CP-LYON-001",
            "ReserveNow",
            {
                "connectorId": 1,
                "expiryDate": LATER,
                "idTag": "RFID-CONFLUENCE-0001",
                "reservationId": res_id,
            },
            timeout=5,
        )
    assert answer == {"status": "Accepted"}
    with db.sessions() as s:
        assert s.get(Reservation, res_id).status == "accepted"


async def test_side_effects_of_accepted_commands(server, db):
    async with connect(server):
        await server.bus.call(
            "CP-LYON-001",
            "ChangeAvailability",
            {"connectorId": 2, "type": "Inoperative"},
            timeout=5,
        )
        await server.bus.call("CP-LYON-001", "GetLocalListVersion", {}, timeout=5)
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        assert charger.local_list_version == 7
        availability = dict(
            s.execute(
                select(Connector.connector_id, Connector.availability).where(
                    Connector.charger_id == charger.id
                )
            ).all()
        )
        assert availability == {1: "Operative", 2: "Inoperative"}


async def test_invalid_payloads_and_unknown_commands_are_refused_before_sending(server, db):
    async with connect(server):
        with pytest.raises(ValidationFailed):
            await server.bus.call("CP-LYON-001", "Reset", {"type": "Sideways"}, timeout=5)
        with pytest.raises(ValidationFailed):
            await server.bus.call("CP-LYON-001", "Reset", {"colour": "red"}, timeout=5)
        with pytest.raises(ValidationFailed, match="Unsupported command"):
            await server.bus.call("CP-LYON-001", "SelfDestruct", {}, timeout=5)


async def test_disconnected_charger_and_timeout_give_clear_errors(db, settings, server):
    with pytest.raises(ChargerUnavailable, match="not connected"):
        await server.bus.call("CP-LYON-002", "Reset", {"type": "Hard"}, timeout=2)
    server.settings = settings.with_(command_timeout=0.3)
    async with connect(server) as cp:
        cp.silent = True
        with pytest.raises(CommandTimeout):
            await server.bus.call("CP-LYON-001", "Reset", {"type": "Hard"}, timeout=5)
    with db.sessions() as s:
        cmd = s.scalar(select(ChargerCommand).where(ChargerCommand.action == "Reset"))
        assert cmd.status == "timeout"


async def test_a_changed_heartbeat_interval_is_what_the_next_boot_hands_out(server, db):
    async with connect(server) as cp:
        first = await cp.call(
            v16call.BootNotification(charge_point_vendor="V", charge_point_model="M")
        )
        assert first.interval == 300
        change = {"key": "HeartbeatInterval", "value": "120"}
        assert await server.bus.call("CP-LYON-001", "ChangeConfiguration", change, timeout=5) == {
            "status": "Accepted"
        }
    async with connect(server) as cp:  # reconnects, boots again
        again = await cp.call(
            v16call.BootNotification(charge_point_vendor="V", charge_point_model="M")
        )
        assert again.interval == 120
