"""Real chargers' quirks, one named test each, spoken in raw OCPP-J frames (issue 14's list).

Each test sends what chargers in the field send, byte for byte, through the `websockets`
client, and checks the CSMS answers and stores it as it should.
"""

import asyncio
import base64
import os
from datetime import UTC, datetime, timedelta

import pytest
import websockets
from sqlalchemy import delete, func, select

from mobility.app import ocpp_node
from mobility.bus import InProcessBus
from mobility.demo import CHARGER_PASSWORD
from mobility.models import (
    Charger,
    ChargingTransaction,
    ConnectorStatusEvent,
    IdToken,
    Invoice,
    MeterValue,
)
from mobility.security import token_digest
from ocpp_server.events import MeterSample
from ocpp_server.profile_checks import PauseAction, limit_applied, pause_action
from tests.e2e.ocpp_server.conftest import basic
from tests.e2e.ocpp_server.rawframes import RawCharger, raw_connect

CARD = "RFID-CONFLUENCE-0001"
VIOLATIONS = {
    "FormationViolation",
    "FormatViolation",
    "OccurenceConstraintViolation",
    "OccurrenceConstraintViolation",
    "PropertyConstraintViolation",
    "TypeConstraintViolation",
}


def _status(connector=1, status="Available", ts=None):
    body = {"connectorId": connector, "errorCode": "NoError", "status": status}
    if ts is not None:
        body["timestamp"] = ts
    return body


async def _start(cp, connector=1, ts=None, meter=0, tag=CARD):
    stamp = ts or datetime.now(UTC).isoformat()
    reply = await cp.call(
        "StartTransaction",
        {"connectorId": connector, "idTag": tag, "meterStart": meter, "timestamp": stamp},
    )
    assert reply[0] == 3, reply
    return reply[2]


async def _stop(cp, tx_id, meter, ts=None):
    stamp = ts or datetime.now(UTC).isoformat()
    return await cp.call(
        "StopTransaction", {"transactionId": tx_id, "meterStop": meter, "timestamp": stamp}
    )


async def test_quirk_01_subprotocol_missing_unknown_or_several_offered(server):
    for offered in ([], ["ocpp1.2"]):
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with raw_connect(server, protocols=offered):
                pass
        assert refused.value.response.status_code == 400
    async with raw_connect(server, protocols=["ocpp1.2", "ocpp1.5", "ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"
        reply = await RawCharger(ws).call("Heartbeat", {})
        assert reply[0] == 3
        await RawCharger(ws).call(
            "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}
        )
    await server.flush_reports()
    # Once booted as 1.6, a charger offering 2.0.1 as well keeps 1.6.
    async with raw_connect(server, protocols=["ocpp2.0.1", "ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"


async def test_quirk_02_payload_of_another_version_is_a_violation_and_the_socket_stays(server):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        v201_boot = {"chargingStation": {"model": "M", "vendorName": "V"}, "reason": "PowerUp"}
        reply = await cp.call("BootNotification", v201_boot)
        # Its 2.0.1 fields are dropped as vendor extras; what 1.6 requires is missing, which
        # OCPP-J 1.6 calls a ProtocolError ("payload for action is incomplete").
        assert reply[0] == 4 and reply[2] in {*VIOLATIONS, "ProtocolError"}
        v201_status = {
            "timestamp": "2026-01-01T00:00:00Z",
            "connectorStatus": "Available",
            "evseId": 1,
            "connectorId": 1,
        }
        reply = await cp.call("StatusNotification", v201_status)
        assert reply[0] == 4 and reply[2] in {*VIOLATIONS, "ProtocolError"}
        assert (await cp.call("Heartbeat", {}))[0] == 3


async def test_quirk_03_lenient_timestamps_stored_utc_and_implausible_ones_flagged(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        for connector, ts in ((1, "2026-05-01T12:00:00"), (2, "2026-05-01T12:00:00+02")):
            assert (await cp.call("StatusNotification", _status(connector, ts=ts)))[0] == 3
        before = datetime.now(UTC)
        assert (await cp.call("StatusNotification", _status(0, ts="1970-01-01T00:00:07Z")))[0] == 3
        beat = await cp.call("Heartbeat", {})
        assert beat[2]["currentTime"].endswith("Z")
        tx = await _start(cp, ts="1970-01-01T00:01:00Z")
        await server.flush_reports()
    with db.sessions() as s:
        stamps = dict(
            s.execute(
                select(ConnectorStatusEvent.connector_id, ConnectorStatusEvent.timestamp)
            ).all()
        )
        assert stamps[1] == datetime(2026, 5, 1, 12, tzinfo=UTC)  # no zone: taken as UTC
        assert stamps[2] == datetime(2026, 5, 1, 10, tzinfo=UTC)  # +02 converted
        assert stamps[0] >= before - timedelta(seconds=1)  # 1970: time of receipt instead
        session = s.get(ChargingTransaction, tx["transactionId"])
        assert session.started_at >= before - timedelta(seconds=1)
        assert "implausible timestamp" in session.review_reason  # held for an operator


async def test_quirk_04_millisecond_precision_round_trips_through_the_database(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        await cp.call("StatusNotification", _status(1, ts="2026-05-01T12:00:00.123Z"))
        reading = {"timestamp": "2026-05-01T12:00:01.987Z", "sampledValue": [{"value": "5"}]}
        await cp.call("MeterValues", {"connectorId": 1, "meterValue": [reading]})
        await server.flush_reports()
    with db.sessions() as s:
        status_at = s.scalar(select(ConnectorStatusEvent.timestamp))
        sample_at = s.scalar(select(MeterValue.timestamp))
    assert status_at == datetime(2026, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert sample_at == datetime(2026, 5, 1, 12, 0, 1, 987000, tzinfo=UTC)


async def test_quirk_05_energy_units_phases_and_numeric_values(server, db):
    start = datetime.now(UTC) - timedelta(hours=2)
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        tx = (await _start(cp, ts=start.isoformat()))["transactionId"]
        sampled = [
            {"value": 12.5, "unit": "kWh", "measurand": "Energy.Active.Import.Register"},
            {
                "value": "4.1",
                "unit": "kWh",
                "phase": "L1",
                "measurand": "Energy.Active.Import.Register",
            },
            {"value": 7000, "unit": "W", "measurand": "Power.Active.Import"},
        ]
        at = (start + timedelta(hours=1)).isoformat()
        reply = await cp.call(
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": tx,
                "meterValue": [{"timestamp": at, "sampledValue": sampled}],
            },
        )
        assert reply[0] == 3  # numbers where 1.6 wants strings are accepted
        # meterStop sent in kWh but labelled Wh: 14 "Wh" after two hours at 7 kW.
        assert (await _stop(cp, tx, 14))[0] == 3
        await server.flush_reports()
    with db.sessions() as s:
        rows = {(m.measurand, m.phase): (m.value, m.unit) for m in s.scalars(select(MeterValue))}
        session = s.get(ChargingTransaction, tx)
    assert rows[("Energy.Active.Import.Register", None)] == (12500, "Wh")
    assert rows[("Energy.Active.Import.Register", "L1")] == (4100, "Wh")
    assert "measured power implies" in session.review_reason and not session.billed


@pytest.mark.parametrize("tx_id", [-1, 0, 2**31, 2**63 + 5])
async def test_quirk_06_transaction_ids_out_of_range_or_chosen_by_the_charger(server, db, tx_id):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        reading = {"timestamp": datetime.now(UTC).isoformat(), "sampledValue": [{"value": "10"}]}
        reply = await cp.call(
            "MeterValues", {"connectorId": 1, "transactionId": tx_id, "meterValue": [reading]}
        )
        assert reply[0] == 3
        reply = await _stop(cp, tx_id, 100)
        assert reply[0] == 3  # acknowledged, recorded as an orphan
        missing = await cp.call(
            "StopTransaction", {"meterStop": 1, "timestamp": datetime.now(UTC).isoformat()}
        )
        assert missing[0] == 4 and missing[2] != "InternalError"
        await server.flush_reports()
    with db.sessions() as s:
        orphan = s.scalar(select(ChargingTransaction).where(ChargingTransaction.orphan.is_(True)))
        assert orphan.transaction_ref == f"orphan:{tx_id}"
        assert s.scalar(select(MeterValue.transaction_id)) is None


async def test_quirk_07_unknown_stop_is_acknowledged_and_a_wrong_id_stops_nobody_else(server, db):
    async with raw_connect(server, "CP-LYON-001") as ws1, raw_connect(server, "CP-LYON-002") as ws2:
        mine = (await _start(RawCharger(ws1)))["transactionId"]
        reply = await _stop(RawCharger(ws2), mine, 500)  # another charger names our id
        assert reply[0] == 3
    with db.sessions() as s:
        assert s.get(ChargingTransaction, mine).status == "active"
        assert s.scalar(select(func.count()).where(ChargingTransaction.orphan.is_(True))) == 1


async def test_quirk_08_closing_reading_after_stop_and_clock_aligned_values_are_stored(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        tx = (await _start(cp))["transactionId"]
        assert (await _stop(cp, tx, 2000))[0] == 3
        now = datetime.now(UTC).isoformat()
        closing = {
            "timestamp": now,
            "sampledValue": [{"value": "2000", "context": "Transaction.End"}],
        }
        aligned = {
            "timestamp": now,
            "sampledValue": [{"value": "98765", "context": "Sample.Clock"}],
        }
        assert (
            await cp.call(
                "MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": [closing]}
            )
        )[0] == 3
        assert (await cp.call("MeterValues", {"connectorId": 0, "meterValue": [aligned]}))[0] == 3
        await server.flush_reports()
    with db.sessions() as s:
        rows = {m.context: m for m in s.scalars(select(MeterValue))}
        assert rows["Transaction.End"].transaction_id == tx
        clock = rows["Sample.Clock"]
        assert clock.transaction_id is None and clock.connector_id == 0 and clock.value == 98765
        assert s.get(ChargingTransaction, tx).meter_stop_wh == 2000


async def test_quirk_09_offline_sessions_replayed_late_out_of_order_or_stop_only(server, db):
    start = datetime.now(UTC) - timedelta(days=2)
    stop = start + timedelta(hours=1)
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        first = await _start(cp, ts=start.isoformat())
        again = await _start(cp, ts=start.isoformat())  # the charger's queue replays it
        assert again["transactionId"] == first["transactionId"]
        tx = first["transactionId"]
        assert (await _stop(cp, tx, 6000, stop.isoformat()))[0] == 3
        late = {
            "timestamp": (start + timedelta(minutes=30)).isoformat(),
            "sampledValue": [{"value": "3000"}],
        }
        assert (
            await cp.call(
                "MeterValues", {"connectorId": 1, "transactionId": tx, "meterValue": [late]}
            )
        )[0] == 3
        assert (await _stop(cp, tx, 6000, stop.isoformat()))[0] == 3  # replayed stop
        assert (await _stop(cp, 424242, 9000, stop.isoformat()))[0] == 3  # its start was lost
        await server.flush_reports()
    with db.sessions() as s:
        session = s.get(ChargingTransaction, tx)
        assert session.billed and session.energy_wh == 6000 and session.started_at == start
        invoices = s.scalars(select(Invoice).where(Invoice.charging_transaction_id == tx)).all()
        assert len(invoices) == 1
        orphan = s.scalar(select(ChargingTransaction).where(ChargingTransaction.orphan.is_(True)))
        assert orphan.transaction_ref == "orphan:424242" and not orphan.billed


async def _zombie(port, cp_id):
    """A websocket handshake, then silence: no frame read, no ping ever answered."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    auth = basic(cp_id, CHARGER_PASSWORD)["Authorization"]
    writer.write(
        (
            f"GET /ocpp/{cp_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: ocpp1.6\r\nAuthorization: {auth}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert b" 101 " in head.split(b"\r\n")[0]
    return writer


async def test_quirk_10_zombie_sockets_are_closed_and_the_newest_connection_wins(
    db, settings, server
):
    await server.stop()
    srv = ocpp_node(
        settings.with_(ocpp_ping_interval=0.3, ocpp_ping_timeout=0.3), db=db, bus=InProcessBus()
    )
    await srv.start()
    try:
        writer = await _zombie(srv.port, "CP-LYON-001")
        await asyncio.sleep(0.1)
        assert "CP-LYON-001" in srv.sessions
        for _ in range(100):
            if "CP-LYON-001" not in srv.sessions:
                break
            await asyncio.sleep(0.05)
        assert "CP-LYON-001" not in srv.sessions  # no pong: closed within a few pings
        writer.close()
        async with raw_connect(srv) as old, raw_connect(srv) as new:
            assert (await RawCharger(new).call("Heartbeat", {}))[0] == 3
            with pytest.raises(websockets.ConnectionClosed):
                await RawCharger(old).call("Heartbeat", {})
            assert old.close_code == 1000
    finally:
        await srv.stop()


async def test_quirk_11_two_hundred_fresh_stations_report_at_the_same_instant(server, db):
    ids = [f"CP-FRESH-{n:03d}" for n in range(200)]
    with db.transaction() as s:
        s.add_all(
            Charger(charge_point_id=cp, password_hash=token_digest(CHARGER_PASSWORD)) for cp in ids
        )
    sockets = await asyncio.gather(*(raw_connect(server, cp).__aenter__() for cp in ids))
    try:
        replies = await asyncio.gather(
            *(RawCharger(ws).call("StatusNotification", _status(1, "Available")) for ws in sockets)
        )
        assert all(r[0] == 3 for r in replies)
        await server.flush_reports()
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 200


async def test_quirk_12_expiry_tag_length_and_start_revalidates_a_cached_tag(server, db):
    past = datetime.now(UTC) - timedelta(hours=1)
    with db.transaction() as s:
        s.add(IdToken(id_tag="CARD-EXPIRED", expires_at=past))
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        assert (await cp.call("Authorize", {"idTag": "CARD-EXPIRED"}))[2]["idTagInfo"][
            "status"
        ] == "Expired"
        ok = (await cp.call("Authorize", {"idTag": CARD}))[2]["idTagInfo"]
        expiry = datetime.fromisoformat(ok["expiryDate"])
        assert ok["status"] == "Accepted" and expiry <= datetime.now(UTC) + timedelta(
            hours=24, seconds=5
        )
        assert (await cp.call("Authorize", {"idTag": "X" * 20}))[2]["idTagInfo"][
            "status"
        ] == "Invalid"
        too_long = await cp.call("Authorize", {"idTag": "X" * 21})
        assert too_long[0] == 4 and too_long[2] in VIOLATIONS
        # Blocked here after the charger cached it: StartTransaction says Blocked.
        with db.transaction() as s:
            s.scalar(select(IdToken).where(IdToken.id_tag == CARD)).status = "Blocked"
        started = await _start(cp)
        assert started["idTagInfo"]["status"] == "Blocked"


def _accept(payload):
    return {"status": "Accepted"}


async def test_quirk_13_profile_accepted_but_not_applied_is_seen_in_measured_current(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws, {"SetChargingProfile": _accept})
        tx = (await _start(cp))["transactionId"]
        profile = {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Relative",
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}],
            },
        }
        sent = asyncio.create_task(
            server.execute(
                "CP-LYON-001",
                "SetChargingProfile",
                {"connectorId": 1, "csChargingProfiles": profile},
            )
        )
        await cp.serve(1)
        assert (await sent) == {"status": "Accepted"}
        applied_at = datetime.now(UTC)
        for minute in (2, 3, 4):
            at = (applied_at + timedelta(minutes=minute)).isoformat()
            phases = [
                {"value": "16", "measurand": "Current.Import", "unit": "A", "phase": p}
                for p in ("L1", "L2", "L3")
            ]
            mv = {
                "connectorId": 1,
                "transactionId": tx,
                "meterValue": [{"timestamp": at, "sampledValue": phases}],
            }
            assert (await cp.call("MeterValues", mv))[0] == 3
        await server.flush_reports()
    with db.sessions() as s:
        samples = [
            MeterSample(m.timestamp, m.measurand, m.value, m.unit or "", m.phase)
            for m in s.scalars(select(MeterValue).where(MeterValue.transaction_id == tx))
        ]
    verdict = limit_applied(10, "A", applied_at, samples)
    assert verdict.applied is False and verdict.measured == 16


async def test_quirk_14_configuration_probing_is_off_by_default(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(
            ws, {"GetLocalListVersion": lambda p: {"listVersion": 0}, "SendLocalList": _accept}
        )
        boot = await cp.call(
            "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}
        )
        assert boot[2]["status"] == "Accepted"
        await cp.serve(1.5)
    assert "GetConfiguration" not in [action for action, _ in cp.calls]
    assert "SendLocalList" in [action for action, _ in cp.calls]  # the list is not probing


async def test_quirk_15_a_pause_that_must_resume_is_a_zero_limit_and_the_session_stays(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws, {"SetChargingProfile": _accept})
        tx = (await _start(cp))["transactionId"]
        await cp.call("StatusNotification", _status(1, "Charging"))
        assert pause_action("Charging", must_resume=True) is PauseAction.ZERO_LIMIT
        zero = {
            "chargingProfileId": 2,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Relative",
            "transactionId": tx,
            "chargingSchedule": {
                "chargingRateUnit": "A",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 0}],
            },
        }
        sent = asyncio.create_task(
            server.execute(
                "CP-LYON-001", "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": zero}
            )
        )
        await cp.serve(1)
        assert (await sent) == {"status": "Accepted"}
        assert (await cp.call("StatusNotification", _status(1, "SuspendedEVSE")))[0] == 3
        await server.flush_reports()
    assert [a for a, _ in cp.calls] == ["SetChargingProfile"]  # never a RemoteStopTransaction
    with db.sessions() as s:
        assert s.get(ChargingTransaction, tx).status == "active"


async def test_percent_encoded_charger_ids_are_decoded_at_the_handshake(server):
    async with websockets.connect(
        f"ws://127.0.0.1:{server.port}/ocpp/CP%2DLYON%2D001",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic("CP-LYON-001", CHARGER_PASSWORD),
    ) as ws:
        assert (await RawCharger(ws).call("Heartbeat", {}))[0] == 3
        assert "CP-LYON-001" in server.sessions


async def test_domain_errors_get_their_own_call_error_codes_never_internal_error(server, db):
    async with raw_connect(server) as ws:
        cp = RawCharger(ws)
        huge = await cp.call(
            "StartTransaction",
            {
                "connectorId": 1,
                "idTag": CARD,
                "meterStart": 2**70,
                "timestamp": datetime.now(UTC).isoformat(),
            },
        )
        assert huge[0] == 4 and huge[2] == "PropertyConstraintViolation"
        with db.transaction() as s:  # the operator removes the charger while it is connected
            s.execute(delete(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        gone = await cp.call("Authorize", {"idTag": CARD})
        assert gone[0] == 3  # authorising needs no charger row
        start = await _start_raw(cp)
        assert start[0] == 4 and start[2] == "GenericError" and "Unknown charger" in start[3]


async def _start_raw(cp):
    return await cp.call(
        "StartTransaction",
        {
            "connectorId": 1,
            "idTag": CARD,
            "meterStart": 0,
            "timestamp": datetime.now(UTC).isoformat(),
        },
    )
