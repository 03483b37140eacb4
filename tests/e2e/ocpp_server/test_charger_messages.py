"""Every charger-initiated OCPP 1.6 message is answered and persisted."""

from datetime import UTC, datetime, timedelta

from ocpp.v16 import call
from sqlalchemy import func, select

from mobility.models import (
    Charger,
    ChargerEvent,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    IdToken,
    Invoice,
    MeterValue,
)
from tests.e2e.ocpp_server.conftest import connect


async def _boot(cp):
    return await cp.call(
        call.BootNotification(
            charge_point_vendor="Alfen", charge_point_model="Eve", firmware_version="4.1"
        )
    )


async def test_boot_heartbeat_status_and_events_are_persisted(server, db):
    async with connect(server) as cp:
        boot = await _boot(cp)
        assert boot.status == "Accepted" and boot.interval > 0
        hb = await cp.call(call.Heartbeat())
        assert datetime.fromisoformat(hb.current_time)
        await cp.call(
            call.StatusNotification(
                connector_id=1,
                error_code="NoError",
                status="Available",
                timestamp=datetime.now(UTC).isoformat(),
            )
        )
        dt = await cp.call(call.DataTransfer(vendor_id="com.acme", data="hello"))
        assert dt.status == "UnknownVendorId"
        await cp.call(call.DiagnosticsStatusNotification(status="Uploaded"))
        await cp.call(call.FirmwareStatusNotification(status="Installed"))
    await server.writes.flush()  # status and meter reports are written behind, in batches
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        assert (charger.vendor, charger.model, charger.firmware_version) == ("Alfen", "Eve", "4.1")
        assert charger.diagnostics_status == "Uploaded" and charger.firmware_status == "Installed"
        conn = s.scalar(
            select(Connector).where(Connector.charger_id == charger.id, Connector.connector_id == 1)
        )
        assert conn.status == "Available"
        actions = set(s.scalars(select(ChargerEvent.action)))
        assert {
            "BootNotification",
            "DataTransfer",
            "DiagnosticsStatusNotification",
            "FirmwareStatusNotification",
        } <= actions


async def test_late_status_from_offline_buffer_keeps_history_but_not_live_state(server, db):
    now = datetime.now(UTC)
    async with connect(server) as cp:
        for status, ts in (("Charging", now), ("Preparing", now - timedelta(hours=2))):
            await cp.call(
                call.StatusNotification(
                    connector_id=2, error_code="NoError", status=status, timestamp=ts.isoformat()
                )
            )
    await server.writes.flush()
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(ConnectorStatusEvent)) == 2
        live = s.scalar(
            select(Connector.status)
            .join(Charger, Charger.id == Connector.charger_id)
            .where(Charger.charge_point_id == "CP-LYON-001", Connector.connector_id == 2)
        )
        assert live == "Charging"


async def test_authorize_user_and_fleet_cards_with_expiry_and_blocking(server, db):
    with db.transaction() as s:
        s.add(IdToken(id_tag="BLOCKED-1", status="Blocked"))
        s.add(IdToken(id_tag="OLD-1", expires_at=datetime(2020, 1, 1, tzinfo=UTC)))
        s.add(IdToken(id_tag="CHILD-1", parent_id_tag="RFID-CONFLUENCE-0001"))
    async with connect(server) as cp:
        fleet = await cp.call(call.Authorize(id_tag="RFID-CONFLUENCE-0001"))
        blocked = await cp.call(call.Authorize(id_tag="BLOCKED-1"))
        expired = await cp.call(call.Authorize(id_tag="OLD-1"))
        unknown = await cp.call(call.Authorize(id_tag="NOPE"))
        child = await cp.call(call.Authorize(id_tag="CHILD-1"))
    assert fleet.id_tag_info["status"] == "Accepted"
    assert blocked.id_tag_info["status"] == "Blocked"
    assert expired.id_tag_info["status"] == "Expired"
    assert unknown.id_tag_info["status"] == "Invalid"
    assert child.id_tag_info["parent_id_tag"] == "RFID-CONFLUENCE-0001"


async def test_fleet_card_session_meter_values_stop_billed_to_company_once(server, db):
    start = datetime.now(UTC) - timedelta(hours=2)
    async with connect(server) as cp:
        started = await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="RFID-CONFLUENCE-0001",
                meter_start=1000,
                timestamp=start.isoformat(),
            )
        )
        tx_id = started.transaction_id
        replay = await cp.call(
            call.StartTransaction(
                connector_id=1,
                id_tag="RFID-CONFLUENCE-0001",
                meter_start=1000,
                timestamp=start.isoformat(),
            )
        )
        assert replay.transaction_id == tx_id
        sample_time = (start + timedelta(minutes=30)).isoformat()
        await cp.call(
            call.MeterValues(
                connector_id=1,
                transaction_id=tx_id,
                meter_value=[
                    {
                        "timestamp": sample_time,
                        "sampledValue": [
                            {
                                "value": "11.5",
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "kWh",
                            },
                            {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"},
                            {
                                "value": "32",
                                "measurand": "Current.Import",
                                "unit": "A",
                                "phase": "L1",
                            },
                            {"value": "230", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
                            {
                                "value": "64",
                                "measurand": "SoC",
                                "unit": "Percent",
                                "location": "EV",
                            },
                        ],
                    }
                ],
            )
        )
        stop = call.StopTransaction(
            meter_stop=21000,
            timestamp=datetime.now(UTC).isoformat(),
            transaction_id=tx_id,
            reason="EVDisconnected",
            id_tag="RFID-CONFLUENCE-0001",
            transaction_data=[
                {
                    "timestamp": datetime.now(UTC).isoformat(),
                    "sampledValue": [
                        {"value": "21000", "measurand": "Energy.Active.Import.Register"}
                    ],
                }
            ],
        )
        first = await cp.call(stop)
        second = await cp.call(stop)  # replayed after a reconnect
        assert first.id_tag_info["status"] == second.id_tag_info["status"] == "Accepted"
    await server.writes.flush()
    with db.sessions() as s:
        tx = s.get(ChargingTransaction, tx_id)
        assert tx.status == "completed" and tx.energy_wh == 20000 and tx.company_id is not None
        assert tx.billed and tx.stop_reason == "EVDisconnected"
        measurands = set(s.scalars(select(MeterValue.measurand)))
        assert {"SoC", "Voltage", "Current.Import", "Power.Active.Import"} <= measurands
        invoices = s.scalars(select(Invoice).where(Invoice.charging_transaction_id == tx_id)).all()
        assert len(invoices) == 1 and invoices[0].company_id == tx.company_id
        assert invoices[0].total_minor == 840  # 20 kWh x 0.35 EUR + 20% VAT
        assert s.scalar(select(func.count()).select_from(ChargingTransaction)) == 1


async def test_stop_for_unknown_transaction_is_answered_and_recorded(server, db):
    async with connect(server) as cp:
        answer = await cp.call(
            call.StopTransaction(
                meter_stop=500,
                timestamp=datetime(2026, 1, 5, tzinfo=UTC).isoformat(),
                transaction_id=987654,
            )
        )
        assert answer.id_tag_info is None
    with db.sessions() as s:
        orphan = s.scalar(select(ChargingTransaction).where(ChargingTransaction.orphan))
        assert orphan.transaction_ref == "orphan:987654" and orphan.status == "completed"


async def test_late_transaction_with_old_timestamps_is_accepted(server, db):
    old = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    async with connect(server) as cp:
        started = await cp.call(
            call.StartTransaction(
                connector_id=2,
                id_tag="RFID-CONFLUENCE-0001",
                meter_start=0,
                timestamp=old.isoformat(),
            )
        )
        await cp.call(
            call.StopTransaction(
                meter_stop=5000,
                timestamp=(old + timedelta(hours=1)).isoformat(),
                transaction_id=started.transaction_id,
            )
        )
    with db.sessions() as s:
        tx = s.get(ChargingTransaction, started.transaction_id)
        assert tx.started_at == old and tx.energy_wh == 5000
