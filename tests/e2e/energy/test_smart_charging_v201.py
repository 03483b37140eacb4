"""The same plan reaches an OCPP 2.0.1 station: per-EVSE profiles naming its own transaction id."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from ocpp.v201 import call
from sqlalchemy import select

from energy.service import SmartCharging
from mobility.models import ChargingProfileRecord
from tests.e2e.energy.test_smart_charging_ocpp import LIMIT_KW, _setup
from tests.e2e.ocpp_server.station201 import connect201


async def test_201_station_gets_tx_profiles_under_the_site_limit(server, db):
    site_id, codes = _setup(db)
    service = SmartCharging(db, server.bus, command_timeout=5)
    async with connect201(server) as st:
        await st.call(
            call.BootNotification(
                charging_station={"model": "Eve", "vendor_name": "Alfen"}, reason="PowerUp"
            )
        )
        now = datetime.now(UTC).isoformat()
        for n, code in enumerate(codes, start=1):
            await st.call(
                call.TransactionEvent(
                    event_type="Started",
                    timestamp=now,
                    trigger_reason="Authorized",
                    seq_no=0,
                    transaction_info={"transaction_id": f"st-{n}"},
                    id_token={"id_token": f"CARD-{code}", "type": "ISO14443"},
                    evse={"id": n, "connector_id": 1},
                )
            )
        await server.flush_reports()
        await server.presence.flush()
        run = await asyncio.to_thread(service.run_site, site_id)
        assert sorted(run.steering.sent) == ["CP-LYON-001/1", "CP-LYON-001/2"]
    profiles = {
        kw["evse_id"]: kw["charging_profile"]
        for action, kw in st.received
        if action == "SetChargingProfile"
    }
    assert {p["transaction_id"] for p in profiles.values()} == {"st-1", "st-2"}
    first = [
        p["charging_schedule"][0]["charging_schedule_period"][0]["limit"] for p in profiles.values()
    ]
    assert sum(first) <= LIMIT_KW * 1000
    with db.sessions() as s:
        refs = set(s.scalars(select(ChargingProfileRecord.transaction_ref)))
    assert refs == {"st-1", "st-2"}
