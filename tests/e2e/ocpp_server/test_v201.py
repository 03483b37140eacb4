"""OCPP 2.0.1 stations on the same node as 1.6 chargers: provisioning, sessions, commands."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from ocpp.exceptions import OCPPError
from ocpp.v16 import call as call16
from ocpp.v201 import call
from sqlalchemy import func, select, update

from mobility.app import create_app
from mobility.bus import InProcessBus
from mobility.demo import CHARGER_PASSWORD, seed_demo
from mobility.errors import ValidationFailed
from mobility.models import (
    ApiToken,
    Charger,
    ChargerCommand,
    ChargerEvent,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    DeviceEvent,
    EvChargingNeeds,
    IdToken,
    Invoice,
    MeterValue,
    Reservation,
    SecurityEvent,
    User,
)
from mobility.security import token_digest
from ocpp_server import commands
from ocpp_server.v201 import commands as v201_commands
from tests.e2e.ocpp_server.conftest import basic, connect
from tests.e2e.ocpp_server.station201 import connect201
from tests.e2e.ocpp_server.test_operator_api import Loop

FLEET = {"id_token": "RFID-CONFLUENCE-0001", "type": "ISO14443"}
STATION = {"model": "Eve 2", "vendor_name": "Alfen", "serial_number": "SN-42"}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _charger(db: Any, cp_id: str = "CP-LYON-001") -> Charger:
    with db.sessions() as s:
        return s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))


def _readings(at: datetime, wh: float, context: str, power_w: float | None = None) -> list[Any]:
    values: list[dict[str, Any]] = [
        {
            "value": wh / 1000,
            "measurand": "Energy.Active.Import.Register",
            "context": context,
            "unitOfMeasure": {"unit": "kWh"},
        }
    ]
    if power_w is not None:
        values.append({"value": power_w, "measurand": "Power.Active.Import", "context": context})
    return [{"timestamp": _iso(at), "sampledValue": values}]


def _event(kind: str, seq: int, at: datetime, **extra: Any) -> call.TransactionEvent:
    info = {"transaction_id": extra.pop("tx", "TX-1")}
    if "stopped_reason" in extra:
        info["stopped_reason"] = extra.pop("stopped_reason")
    return call.TransactionEvent(
        event_type=kind,
        timestamp=_iso(at),
        trigger_reason=extra.pop("trigger_reason", "MeterValuePeriodic"),
        seq_no=seq,
        transaction_info=info,
        **extra,
    )


async def test_boot_heartbeat_status_and_notifications_are_persisted(server, db):
    async with connect201(server) as st:
        boot = await st.call(
            call.BootNotification(
                charging_station={
                    **STATION,
                    "firmware_version": "6.1",
                    "modem": {"iccid": "8933", "imsi": "20801"},
                },
                reason="PowerUp",
            )
        )
        assert boot.status == "Accepted" and boot.interval > 0
        assert boot.current_time.endswith("Z")
        hb = await st.call(call.Heartbeat())
        assert hb.current_time.endswith("Z")
        await st.call(
            call.StatusNotification(
                timestamp=_iso(datetime.now(UTC)),
                connector_status="Occupied",
                evse_id=2,
                connector_id=1,
            )
        )
        await st.call(
            call.NotifyEvent(
                generated_at=_iso(datetime.now(UTC)),
                seq_no=0,
                event_data=[
                    {
                        "event_id": 1,
                        "timestamp": _iso(datetime.now(UTC)),
                        "trigger": "Alerting",
                        "actual_value": "true",
                        "event_notification_type": "HardWiredNotification",
                        "component": {"name": "EVSE", "evse": {"id": 1}},
                        "variable": {"name": "Tripped"},
                    }
                ],
            )
        )
    await server.writes.flush()
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        assert (charger.vendor, charger.model, charger.serial_number) == ("Alfen", "Eve 2", "SN-42")
        assert (charger.firmware_version, charger.iccid, charger.imsi) == ("6.1", "8933", "20801")
        assert charger.ocpp_version == "2.0.1"
        live = s.scalar(
            select(Connector.status).where(
                Connector.charger_id == charger.id, Connector.connector_id == 2
            )
        )
        assert live == "Occupied"
        assert "BootNotification" in set(s.scalars(select(ChargerEvent.action)))
        event = s.scalar(select(DeviceEvent))  # events of the device model: a table of their own
        assert (event.event_id, event.trigger, event.variable, event.evse_id) == (
            1,
            "Alerting",
            "Tripped",
            1,
        )


async def test_other_station_messages_are_answered_and_kept(server, db):
    res_id = commands.create_reservation(
        db, "CP-LYON-001", 1, "RFID-CONFLUENCE-0001", datetime.now(UTC) + timedelta(minutes=30)
    )
    now = _iso(datetime.now(UTC))
    async with connect201(server) as st:
        await st.call(call.FirmwareStatusNotification(status="Installed", request_id=1))
        await st.call(call.LogStatusNotification(status="Uploaded", request_id=2))
        await st.call(call.SecurityEventNotification(type="FirmwareUpdated", timestamp=now))
        await st.call(
            call.NotifyReport(
                request_id=3,
                generated_at=now,
                seq_no=0,
                report_data=[
                    {
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                        "variable_attribute": [{"value": "300"}],
                    }
                ],
            )
        )
        dt = await st.call(call.DataTransfer(vendor_id="com.acme", data="hello"))
        assert dt.status == "UnknownVendorId"
        await st.call(
            call.ReservationStatusUpdate(reservation_id=res_id, reservation_update_status="Expired")
        )
        needs = await st.call(
            call.NotifyEVChargingNeeds(
                evse_id=1, charging_needs={"requested_energy_transfer": "AC_three_phase"}
            )
        )
        assert needs.status == "Rejected"
        await st.call(
            call.NotifyChargingLimit(
                charging_limit={"charging_limit_source": "EMS", "is_grid_critical": False}
            )
        )
        await st.call(call.ClearedChargingLimit(charging_limit_source="EMS", evse_id=1))
        await st.call(
            call.ReportChargingProfiles(
                request_id=8,
                charging_limit_source="CSO",
                evse_id=1,
                tbc=False,
                charging_profile=[
                    {
                        "id": 9101,
                        "stack_level": 1,
                        "charging_profile_purpose": "TxDefaultProfile",
                        "charging_profile_kind": "Absolute",
                        "charging_schedule": [
                            {
                                "id": 1,
                                "charging_rate_unit": "W",
                                "start_schedule": _iso(datetime.now(UTC)),
                                "charging_schedule_period": [{"start_period": 0, "limit": 7400}],
                            }
                        ],
                    }
                ],
            )
        )
        await st.call(
            call.NotifyDisplayMessages(
                request_id=9,
                message_info=[
                    {
                        "id": 1,
                        "priority": "NormalCycle",
                        "message": {"format": "UTF8", "content": "Booked: CAR-101"},
                    }
                ],
            )
        )
        await st.call(
            call.MeterValues(evse_id=0, meter_value=_readings(datetime.now(UTC), 5000, "Other"))
        )
    await server.writes.flush()
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        assert (charger.firmware_status, charger.diagnostics_status) == ("Installed", "Uploaded")
        assert s.get(Reservation, res_id).status == "expired"
        assert {
            "FirmwareStatusNotification",
            "LogStatusNotification",
            "DataTransfer",
            "ReservationStatusUpdate",
            "NotifyChargingLimit",
            "ClearedChargingLimit",
            "ReportChargingProfiles",
            "NotifyDisplayMessages",
        } <= set(s.scalars(select(ChargerEvent.action)))
        # Charging needs and the device model have tables of their own (test_v201_device_model).
        assert s.scalar(select(EvChargingNeeds.connector_id)) == 1
        meter = s.scalar(select(MeterValue).where(MeterValue.connector_id == 0))
        assert meter.value == 5000 and meter.unit == "Wh" and meter.transaction_id is None
        event = s.scalar(select(SecurityEvent))  # security events have their own table
        assert (event.type, event.critical) == ("FirmwareUpdated", True)


async def test_authorize_answers_id_token_info(server, db):
    with db.transaction() as s:
        s.add(IdToken(id_tag="BLOCKED-2", status="Blocked"))
        s.add(IdToken(id_tag="CHILD-2", parent_id_tag="RFID-CONFLUENCE-0001"))
    async with connect201(server) as st:
        fleet = await st.call(call.Authorize(id_token=FLEET))
        blocked = await st.call(call.Authorize(id_token={"id_token": "BLOCKED-2", "type": "Local"}))
        unknown = await st.call(call.Authorize(id_token={"id_token": "NOPE", "type": "eMAID"}))
        child = await st.call(call.Authorize(id_token={"id_token": "CHILD-2", "type": "ISO14443"}))
    assert fleet.id_token_info["status"] == "Accepted"
    assert fleet.id_token_info["cache_expiry_date_time"].endswith("Z")
    assert blocked.id_token_info["status"] == "Blocked"
    assert unknown.id_token_info == {"status": "Invalid"}
    assert child.id_token_info["group_id_token"] == {
        "id_token": "RFID-CONFLUENCE-0001",
        "type": "Central",
    }


async def _session(st: Any, start: datetime, end: datetime) -> tuple[Any, Any, Any]:
    """Started, Updated (readings), Ended twice: the three answers of a fleet-card session."""
    started = await st.call(
        _event(
            "Started",
            0,
            start,
            trigger_reason="Authorized",
            id_token=FLEET,
            evse={"id": 1, "connector_id": 1},
            meter_value=_readings(start, 1000, "Transaction.Begin"),
        )
    )
    mid = start + timedelta(minutes=30)
    await st.call(
        _event("Updated", 1, mid, meter_value=_readings(mid, 11500, "Sample.Periodic", 7400))
    )
    ended = _event(
        "Ended",
        2,
        end,
        trigger_reason="EVDeparted",
        stopped_reason="EVDisconnected",
        id_token=FLEET,
        meter_value=_readings(end, 21000, "Transaction.End"),
    )
    return started, await st.call(ended), await st.call(ended)


async def test_fleet_card_session_priced_and_invoiced_to_the_company_once(server, db):
    start = datetime.now(UTC) - timedelta(hours=2)
    async with connect201(server) as st:
        started, first, second = await _session(st, start, datetime.now(UTC))
    assert started.id_token_info["status"] == "Accepted"
    assert first.id_token_info["status"] == second.id_token_info["status"] == "Accepted"
    assert first.total_cost == second.total_cost == 8.4  # the invoiced price, replay or not
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert (tx.transaction_ref, tx.connector_id, tx.last_seq_no) == ("TX-1", 1, 2)
        assert tx.status == "completed" and tx.energy_wh == 20000 and tx.company_id is not None
        assert tx.billed and tx.stop_reason == "EVDisconnected"
        assert s.scalar(select(func.count()).select_from(MeterValue)) == 4
        invoices = s.scalars(select(Invoice).where(Invoice.charging_transaction_id == tx.id)).all()
        assert len(invoices) == 1 and invoices[0].company_id == tx.company_id
        assert invoices[0].total_minor == 840  # 20 kWh x 0.35 EUR + 20% VAT, as in 1.6
        kept = s.scalars(
            select(ChargerEvent.payload).where(ChargerEvent.action == "TransactionEvent")
        )
        assert [p["event_type"] for p in kept] == ["Started", "Ended", "Ended"]


async def test_replayed_start_answers_the_same_and_cable_first_session_binds_its_token(server, db):
    start = datetime.now(UTC) - timedelta(hours=1)
    plug = _event(
        "Started",
        0,
        start,
        tx="TX-PLUG",
        trigger_reason="CablePluggedIn",
        evse={"id": 2},
        meter_value=_readings(start, 500, "Transaction.Begin"),
    )
    async with connect201(server) as st:
        assert (await st.call(plug)).id_token_info is None
        assert (await st.call(plug)).id_token_info is None  # replayed after a reconnect
        authorized = await st.call(
            _event("Updated", 1, start, tx="TX-PLUG", trigger_reason="Authorized", id_token=FLEET)
        )
        assert authorized.id_token_info["status"] == "Accepted"
        end = datetime.now(UTC)
        # No reading in the end message: the last stored register closes the session.
        await st.call(
            _event(
                "Updated", 2, end, tx="TX-PLUG", meter_value=_readings(end, 4500, "Sample.Periodic")
            )
        )
        await st.call(_event("Ended", 3, end, tx="TX-PLUG", trigger_reason="StopAuthorized"))
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert s.scalar(select(func.count()).select_from(ChargingTransaction)) == 1
        assert tx.id_tag == "RFID-CONFLUENCE-0001" and tx.company_id is not None
        assert (tx.meter_start_wh, tx.meter_stop_wh, tx.stop_reason) == (500, 4500, "Local")
        assert tx.billed and tx.auth_status == "Accepted"


async def test_out_of_order_and_missing_seq_numbers_are_accepted_and_recorded(server, db):
    start = datetime.now(UTC) - timedelta(minutes=30)
    async with connect201(server) as st:
        await st.call(_event("Started", 0, start, tx="TX-SEQ", id_token=FLEET, evse={"id": 1}))
        for seq in (5, 3):  # 1, 2 and 4 lost; 3 arrives late
            at = start + timedelta(minutes=seq)
            answer = await st.call(
                _event(
                    "Updated",
                    seq,
                    at,
                    tx="TX-SEQ",
                    meter_value=_readings(at, seq * 100, "Sample.Periodic"),
                )
            )
            assert answer.id_token_info is None
        await server.flush_reports()
        with db.sessions() as s:
            assert s.scalar(select(ChargingTransaction.last_seq_no)) == 5
        await st.call(
            _event(
                "Updated",
                9,
                start,
                tx="TX-SEQ",
                offline=True,
                trigger_reason="Authorized",
                id_token=FLEET,
            )
        )
    with db.sessions() as s:
        assert s.scalar(select(ChargingTransaction.last_seq_no)) == 9
        offline = s.scalars(
            select(ChargerEvent.payload).where(ChargerEvent.action == "TransactionEvent")
        ).all()
        assert any(p.get("offline") for p in offline)


async def test_ended_for_an_unknown_transaction_is_kept_once(server, db):
    at = datetime(2026, 1, 5, tzinfo=UTC)
    ended = _event(
        "Ended", 7, at, tx="NEVER-SEEN", meter_value=_readings(at, 800, "Transaction.End")
    )
    async with connect201(server) as st:
        await st.call(ended)
        await st.call(ended)
    with db.sessions() as s:
        rows = s.scalars(select(ChargingTransaction)).all()
        assert len(rows) == 1 and rows[0].transaction_ref == "NEVER-SEEN" and not rows[0].orphan


LATER = _iso(datetime.now(UTC) + timedelta(hours=1))
COMPONENT = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
PROFILE = {
    "id": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Absolute",
    "chargingSchedule": [
        {
            "id": 1,
            "startSchedule": _iso(datetime.now(UTC)),
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
        }
    ],
}
COMMANDS = [
    (
        "RequestStartTransaction",
        {"idToken": {"idToken": "RFID-CONFLUENCE-0001", "type": "ISO14443"}, "remoteStartId": 1},
        {"status": "Accepted", "transactionId": "tx-r1"},
    ),
    ("RequestStopTransaction", {"transactionId": "TX-1"}, {"status": "Accepted"}),
    ("GetTransactionStatus", {"transactionId": "TX-1"}, None),
    ("Reset", {"type": "OnIdle"}, {"status": "Accepted"}),
    ("ChangeAvailability", {"operationalStatus": "Inoperative", "evse": {"id": 2}}, None),
    ("UnlockConnector", {"evseId": 1, "connectorId": 1}, {"status": "Unlocked"}),
    ("TriggerMessage", {"requestedMessage": "StatusNotification", "evse": {"id": 1}}, None),
    ("GetVariables", {"getVariableData": [COMPONENT]}, None),
    ("SetVariables", {"setVariableData": [{**COMPONENT, "attributeValue": "120"}]}, None),
    ("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, {"status": "Accepted"}),
    ("GetReport", {"requestId": 2}, {"status": "Accepted"}),
    ("ClearCache", {}, {"status": "Accepted"}),
    (
        "SendLocalList",
        {
            "versionNumber": 3,
            "updateType": "Full",
            "localAuthorizationList": [
                {
                    "idToken": {"idToken": "RFID-CONFLUENCE-0001", "type": "ISO14443"},
                    "idTokenInfo": {"status": "Accepted"},
                }
            ],
        },
        {"status": "Accepted"},
    ),
    ("GetLocalListVersion", {}, {"versionNumber": 7}),
    ("CancelReservation", {"reservationId": 99}, {"status": "Accepted"}),
    ("SetChargingProfile", {"evseId": 1, "chargingProfile": PROFILE}, {"status": "Accepted"}),
    ("ClearChargingProfile", {"chargingProfileId": 1}, {"status": "Accepted"}),
    ("GetCompositeSchedule", {"duration": 3600, "evseId": 1}, {"status": "Rejected"}),
    (
        "UpdateFirmware",
        {
            "requestId": 4,
            "firmware": {"location": "https://fw.example.org/6.2.bin", "retrieveDateTime": LATER},
        },
        {"status": "Accepted"},
    ),
    (
        "GetLog",
        {
            "requestId": 5,
            "logType": "DiagnosticsLog",
            "log": {"remoteLocation": "https://logs.example.org/"},
        },
        {"status": "Accepted", "filename": "station.log"},
    ),
    (
        "DataTransfer",
        {"vendorId": "com.acme", "data": "ping"},
        {"status": "Accepted", "data": {"answer": 42}},
    ),
    (
        "SetDisplayMessage",
        {
            "message": {
                "id": 1,
                "priority": "NormalCycle",
                "message": {"format": "UTF8", "content": "Hello"},
            }
        },
        {"status": "Accepted"},
    ),
    ("CostUpdated", {"totalCost": 3.5, "transactionId": "TX-1"}, {}),
    (
        "GetChargingProfiles",
        {"requestId": 8, "chargingProfile": {"chargingProfilePurpose": "TxProfile"}},
        {"status": "Accepted"},
    ),
    ("GetDisplayMessages", {"requestId": 9}, {"status": "Accepted"}),
    ("ClearDisplayMessage", {"id": 1}, {"status": "Accepted"}),
    (
        "SetVariableMonitoring",
        {
            "setMonitoringData": [
                {
                    "value": 60,
                    "type": "UpperThreshold",
                    "severity": 4,
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Temperature"},
                }
            ]
        },
        None,
    ),
    (
        "ClearVariableMonitoring",
        {"id": [1]},
        {"clearMonitoringResult": [{"status": "Accepted", "id": 1}]},
    ),
    ("SetMonitoringBase", {"monitoringBase": "FactoryDefault"}, {"status": "Accepted"}),
    ("SetMonitoringLevel", {"severity": 5}, {"status": "Accepted"}),
    ("GetMonitoringReport", {"requestId": 11}, {"status": "Accepted"}),
    (
        "CustomerInformation",
        {"requestId": 12, "report": True, "clear": False, "customerIdentifier": "user-7"},
        {"status": "Accepted"},
    ),
]


def test_the_catalogue_is_covered():
    from ocpp_server.v201.commands import COMMANDS as CATALOGUE
    from ocpp_server.v201.security import COMMANDS as SECURITY  # tests/e2e/ocpp_server/security

    assert sorted(CATALOGUE) == sorted([c[0] for c in COMMANDS] + ["ReserveNow", *SECURITY])


@pytest.mark.parametrize(("action", "payload", "expected"), COMMANDS, ids=[c[0] for c in COMMANDS])
async def test_each_command_reaches_the_station_and_is_recorded(
    server, db, action, payload, expected
):
    async with connect201(server) as st:
        await asyncio.sleep(0.05)
        answer = await server.bus.call("CP-LYON-001", action, payload, timeout=5)
        assert st.received and st.received[-1][0] == action
    if expected is not None:
        assert answer == expected
    with db.sessions() as s:
        cmd = s.scalar(select(ChargerCommand).where(ChargerCommand.action == action))
        assert cmd.status == "answered" and cmd.payload == payload and cmd.response == answer


async def test_reserve_now_and_change_availability_effects_are_recorded(server, db):
    res_id = commands.create_reservation(
        db, "CP-LYON-001", 1, "RFID-CONFLUENCE-0001", datetime.now(UTC) + timedelta(minutes=30)
    )
    async with connect201(server):
        answer = await server.bus.call(
            "CP-LYON-001",
            "ReserveNow",
            {
                "id": res_id,
                "expiryDateTime": LATER,
                "idToken": {"idToken": "RFID-CONFLUENCE-0001", "type": "ISO14443"},
                "evseId": 1,
            },
            timeout=5,
        )
        assert answer == {"status": "Accepted"}
        await server.bus.call(
            "CP-LYON-001",
            "ChangeAvailability",
            {"operationalStatus": "Inoperative", "evse": {"id": 2}},
            timeout=5,
        )
        await server.bus.call(
            "CP-LYON-001", "SendLocalList", {"versionNumber": 4, "updateType": "Full"}, timeout=5
        )
    with db.sessions() as s:
        assert s.get(Reservation, res_id).status == "accepted"
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        assert charger.local_list_version == 4
        availability = dict(
            s.execute(
                select(Connector.connector_id, Connector.availability).where(
                    Connector.charger_id == charger.id
                )
            ).all()
        )
        assert availability == {1: "Operative", 2: "Inoperative"}


async def test_invalid_command_payloads_are_refused_before_sending(server):
    async with connect201(server):
        with pytest.raises(ValidationFailed):
            await server.bus.call("CP-LYON-001", "Reset", {"type": "Sideways"}, timeout=5)
        with pytest.raises(ValidationFailed, match="no field"):
            await server.bus.call(
                "CP-LYON-001", "Reset", {"type": "Immediate", "colour": "red"}, timeout=5
            )
        with pytest.raises(ValidationFailed, match="Unsupported command"):
            await server.bus.call("CP-LYON-001", "RemoteStartTransaction", {}, timeout=5)


async def test_both_versions_offered_gets_201_and_a_16_charger_works_alongside(server, db):
    async with connect201(server, subprotocols=("ocpp1.6", "ocpp2.0.1")) as st:
        assert st._connection.subprotocol == "ocpp2.0.1"
        await st.call(call.BootNotification(charging_station=STATION, reason="PowerUp"))
        async with connect(server, "CP-LYON-002") as old:
            boot = await old.call(
                call16.BootNotification(charge_point_vendor="V", charge_point_model="M")
            )
            assert boot.status == "Accepted"
            await old.call(call16.Heartbeat())
            await server.bus.call("CP-LYON-002", "ClearCache", {}, timeout=5)
        answer = await server.bus.call("CP-LYON-001", "ClearCache", {}, timeout=5)
        assert answer == {"status": "Accepted"}
    await server.flush_reports()  # boot details are stored in batches
    assert (_charger(db).ocpp_version, _charger(db, "CP-LYON-002").ocpp_version) == ("2.0.1", "1.6")


async def _raw201(srv: Any) -> Any:
    return await websockets.connect(
        f"ws://127.0.0.1:{srv.port}/ocpp/CP-LYON-002",
        subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        additional_headers=basic("CP-LYON-002", CHARGER_PASSWORD),
    )


@pytest.mark.parametrize(
    ("frame", "unique_id", "codes"),
    [
        ("this is not json", "-1", {"RpcFrameworkError"}),
        ('{"an": "object"}', "-1", {"RpcFrameworkError"}),
        ('[2, "m1", "Heartbeat"]', "m1", {"RpcFrameworkError"}),
        ('[7, "m2", "Heartbeat", {}]', "m2", {"MessageTypeNotSupported"}),
        ('[2, "m3", "Heartbeat", []]', "m3", {"FormatViolation"}),
        ('[2, "m4", "FlyToTheMoon", {}]', "m4", {"NotImplemented"}),
        ('[2, "m5", "GetCertificateStatus", {"ocspRequestData": {}}]', "m5", {"NotSupported"}),
        (
            '[2, "m6", "StatusNotification", {"evseId": "one"}]',
            "m6",
            {"OccurrenceConstraintViolation"},  # required fields are missing, too
        ),
        (
            '[2, "m7", "BootNotification", {"reason": "PowerUp"}]',
            "m7",
            {"OccurrenceConstraintViolation"},
        ),
        (
            '[2, "m8", "Authorize", {"idToken": {"idToken": 5, "type": "ISO14443"}}]',
            "m8",
            {"TypeConstraintViolation"},
        ),
    ],
)
async def test_bad_frames_get_call_errors_and_the_session_survives(server, frame, unique_id, codes):
    ws = await _raw201(server)
    try:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[0] == 4 and reply[1] == unique_id and reply[2] in codes
        await ws.send('[2, "ok", "Heartbeat", {}]')
        alive = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert alive[0] == 3 and alive[1] == "ok" and "currentTime" in alive[2]
    finally:
        await ws.close()


async def test_vendor_fields_are_pruned_at_every_depth(server, db):
    ws = await _raw201(server)
    try:
        payload = {
            "timestamp": _iso(datetime.now(UTC)),
            "connectorStatus": "Faulted",
            "evseId": 1,
            "connectorId": 1,
            "vendorFancyField": {"x": 1},
        }
        await ws.send(json.dumps([2, "s1", "StatusNotification", payload]))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "s1"]
        limit = {
            "chargingLimit": {"chargingLimitSource": "EMS"},
            "evseId": 1,
            "customData": {"vendorId": "com.acme", "extra": 1},
            "vendorJunk": True,
        }
        await ws.send(json.dumps([2, "s2", "NotifyChargingLimit", limit]))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "s2"]
    finally:
        await ws.close()
    await server.writes.flush()
    with db.sessions() as s:
        assert s.scalar(select(ConnectorStatusEvent.status)) == "Faulted"
        kept = s.scalar(
            select(ChargerEvent.payload).where(ChargerEvent.action == "NotifyChargingLimit")
        )
        assert kept["custom_data"] == {"vendor_id": "com.acme"} and "vendor_junk" not in kept


async def test_a_failing_handler_answers_internal_error_and_keeps_the_socket(
    server, db, monkeypatch
):
    def broken(*_: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(server.charging, "record_event", broken)
    async with connect201(server) as st:
        with pytest.raises(OCPPError):
            await st.call(call.DataTransfer(vendor_id="com.acme"), suppress=False)
        assert (await st.call(call.Heartbeat())).current_time


class Loop201(Loop):
    """The operator API's node thread, with a 2.0.1 station instead of a 1.6 charger."""

    async def main(self):
        self.stop = asyncio.Event()
        await self.server.start()
        async with connect201(self.server, "CP-LYON-001") as st:
            await st.call(call.BootNotification(charging_station=STATION, reason="PowerUp"))
            await self.server.presence.flush()  # connection states and boot details are
            await self.server.flush_reports()  # stored in batches
            self.ready.set()
            await self.stop.wait()
        await self.server.stop()


@pytest.fixture
def api201(db, settings):
    seed_demo(db)
    with db.transaction() as s:
        operator = s.scalar(select(User).where(User.email == "operator@example.org"))
        s.add(
            ApiToken(
                user_id=operator.id,
                token_hash=token_digest("tok-op-201"),
                created_at=datetime.now(UTC),
            )
        )
    bus = InProcessBus()
    runner = Loop201(settings, db, bus)
    runner.thread.start()
    assert runner.ready.wait(10)
    yield create_app(settings, db=db, bus=bus).test_client()
    runner.loop.call_soon_threadsafe(runner.stop.set)
    runner.thread.join(10)


def test_operator_api_offers_the_201_catalogue_and_reserves_with_its_id_field(api201, db):
    h = {"Authorization": "Bearer tok-op-201"}
    charger = api201.get("/api/v1/operator/chargers/CP-LYON-001", headers=h).get_json()
    assert charger["ocpp_version"] == "2.0.1" and charger["commands"] == list(
        v201_commands.COMMANDS
    )
    expiry = _iso(datetime.now(UTC) + timedelta(minutes=20))
    token = {"idToken": "RFID-CONFLUENCE-0001", "type": "ISO14443"}
    r = api201.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/ReserveNow",
        headers=h,
        json={"evseId": 1, "idToken": token, "expiryDateTime": expiry},
    )
    assert r.status_code == 200, r.get_json()
    res_id = r.get_json()["payload"]["id"]
    assert "reservationId" not in r.get_json()["payload"]
    with db.sessions() as s:
        res = s.get(Reservation, res_id)
        assert (res.connector_id, res.id_tag, res.status) == (1, "RFID-CONFLUENCE-0001", "accepted")
    r = api201.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/ReserveNow",
        headers=h,
        json={"connectorId": 1, "idTag": "X", "expiryDate": expiry},  # 1.6 words
    )
    assert r.status_code == 422 and "2.0.1" in r.get_json()["message"]
    r = api201.post(
        "/api/v1/operator/chargers/CP-LYON-001/commands/RemoteStartTransaction", headers=h, json={}
    )
    assert r.status_code == 404 and "RequestStartTransaction" in r.get_json()["message"]


async def test_a_charger_that_booted_with_16_keeps_it_until_its_version_is_cleared(server, db):
    with db.transaction() as s:
        s.execute(
            update(Charger)
            .where(Charger.charge_point_id == "CP-LYON-001")
            .values(ocpp_version="1.6")
        )
    async with connect201(server, subprotocols=("ocpp2.0.1", "ocpp1.6")) as st:
        assert st._connection.subprotocol == "ocpp1.6"
    async with connect201(server, subprotocols=("ocpp2.0.1",)) as st:  # no longer offers 1.6
        assert st._connection.subprotocol == "ocpp2.0.1"
    with db.transaction() as s:
        s.execute(
            update(Charger)
            .where(Charger.charge_point_id == "CP-LYON-001")
            .values(ocpp_version=None)
        )
    async with connect201(server, subprotocols=("ocpp1.6", "ocpp2.0.1")) as st:
        assert st._connection.subprotocol == "ocpp2.0.1"


NOW = _iso(datetime.now(UTC))
SCHEDULE = {
    "id": 1,
    "chargingRateUnit": "W",
    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000}],
}


@pytest.mark.parametrize(
    ("action", "payload", "code"),
    [
        # A required field missing, or a list emptier than allowed: occurrence constraints.
        (
            "NotifyEVChargingSchedule",
            {"timeBase": NOW, "evseId": 1},
            "OccurrenceConstraintViolation",
        ),
        (
            "NotifyEvent",
            {"generatedAt": NOW, "seqNo": 0, "eventData": []},
            "OccurrenceConstraintViolation",
        ),
        (
            "StatusNotification",
            {"timestamp": NOW, "connectorStatus": "Available", "evseId": 1},
            "OccurrenceConstraintViolation",
        ),
        # A value of the wrong JSON type, or a string longer than its type allows.
        (
            "NotifyMonitoringReport",
            {
                "requestId": 1,
                "seqNo": 0,
                "generatedAt": NOW,
                "monitor": [
                    {
                        "component": {"name": "EVSE"},
                        "variable": {"name": "Power"},
                        "variableMonitoring": [
                            {
                                "id": 1,
                                "transaction": False,
                                "value": "high",
                                "type": "Delta",
                                "severity": 2,
                            }
                        ],
                    }
                ],
            },
            "TypeConstraintViolation",
        ),
        (
            "NotifyCustomerInformation",
            {"data": "x" * 513, "seqNo": 0, "generatedAt": NOW, "requestId": 1},
            "TypeConstraintViolation",
        ),
        (
            "TransactionEvent",
            {
                "eventType": "Updated",
                "timestamp": NOW,
                "triggerReason": "EVDetected",
                "seqNo": 1,
                "transactionInfo": {"transactionId": "T-1"},
                "evse": {"id": 1, "connectorId": "two"},
            },
            "TypeConstraintViolation",
        ),
        # A value outside its enumeration: an invalid property value.
        (
            "NotifyEVChargingSchedule",
            {
                "timeBase": NOW,
                "evseId": 1,
                "chargingSchedule": {**SCHEDULE, "chargingRateUnit": "kW"},
            },
            "PropertyConstraintViolation",
        ),
        (
            "StatusNotification",
            {"timestamp": NOW, "connectorStatus": "Sideways", "evseId": 1, "connectorId": 2},
            "PropertyConstraintViolation",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("{") else "",
)
async def test_schema_violations_get_the_2_0_1_error_code_and_nothing_is_stored(
    server, db, action, payload, code
):
    ws = await _raw201(server)
    try:
        await ws.send(json.dumps([2, "bad", action, payload]))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[:3] == [4, "bad", code], reply
        await ws.send('[2, "ok", "Heartbeat", {}]')
        assert json.loads(await asyncio.wait_for(ws.recv(), 5))[:2] == [3, "ok"]
    finally:
        await ws.close()
    await server.flush_reports()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 0
        assert s.scalar(select(func.count()).select_from(DeviceEvent)) == 0


async def test_a_valid_new_message_with_vendor_fields_is_handled(server, db):
    ws = await _raw201(server)
    try:
        payload = {
            "timeBase": NOW,
            "evseId": 1,
            "chargingSchedule": {**SCHEDULE, "vendorCurve": [1]},
            "vendorX": 1,
        }
        await ws.send(json.dumps([2, "v1", "NotifyEVChargingSchedule", payload]))
        assert json.loads(await asyncio.wait_for(ws.recv(), 5)) == [3, "v1", {"status": "Accepted"}]
    finally:
        await ws.close()
