"""A 2.0.1 station's display learns what a running session costs so far, from our tariffs;
the final invoice of the same session is what the running cost said at its end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ocpp.v201 import call
from sqlalchemy import select

from mobility.models import ChargingTransaction, Invoice
from mobility.money import to_major
from ocpp_server.jobs import send_running_costs
from tests.e2e.ocpp_server.station201 import connect201
from tests.e2e.ocpp_server.test_v201 import FLEET, _event, _readings


async def test_running_cost_reaches_the_station_and_matches_the_final_price(server, db):
    start = datetime.now(UTC) - timedelta(minutes=40)
    mid = start + timedelta(minutes=30)
    async with connect201(server) as st:
        await st.call(
            call.BootNotification(
                charging_station={"model": "Eve", "vendor_name": "Alfen"}, reason="PowerUp"
            )
        )
        await st.call(
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
        await st.call(
            _event("Updated", 1, mid, meter_value=_readings(mid, 5000, "Sample.Periodic", 7400))
        )
        await server.flush_reports()
        await server.presence.flush()
        sent = await asyncio.to_thread(send_running_costs, server.charging, server.bus)
        assert sent == 1
        (cost,) = [kw for action, kw in st.received if action == "CostUpdated"]
        assert cost["transaction_id"] == "TX-1" and Decimal(str(cost["total_cost"])) > 0
        (at_mid,) = await asyncio.to_thread(server.charging.running_costs, mid)
        assert Decimal(str(cost["total_cost"])) >= at_mid.total > 0
        # The session ends at its last reading: the invoice says what the display said.
        ended = await st.call(
            _event(
                "Ended",
                2,
                mid,
                trigger_reason="EVDeparted",
                stopped_reason="EVDisconnected",
                meter_value=_readings(mid, 5000, "Transaction.End"),
            )
        )
    with db.sessions() as s:
        tx = s.scalar(
            select(ChargingTransaction).where(ChargingTransaction.transaction_ref == "TX-1")
        )
        invoice = s.scalar(select(Invoice).where(Invoice.charging_transaction_id == tx.id))
    assert invoice is not None, (tx.status, tx.review_reason, tx.billed, tx.meter_stop_wh)
    # Ended at its last reading, the session costs what the running cost said at that moment.
    assert to_major(invoice.total_minor, invoice.currency) == at_mid.total
    # ... and the station's display was told that final price in the Ended answer (I03).
    assert Decimal(str(ended.total_cost)) == at_mid.total


async def test_the_ended_answer_carries_the_final_price_once_known(server, db):
    at = datetime.now(UTC) - timedelta(minutes=20)
    async with connect201(server) as st:
        started = _event("Started", 0, at, tx="FREE", id_token=FLEET, evse={"id": 1})
        await st.call(started)
        # Nothing drawn, no idle time: billed at 0, which says "free" (0.00), not "unknown".
        free = _event("Ended", 1, at, tx="FREE", meter_value=_readings(at, 0, "Transaction.End"))
        assert (await st.call(free)).total_cost == 0
        # Far more energy than the connector can deliver: held for review, no price yet.
        await st.call(_event("Started", 0, at, tx="ODD", id_token=FLEET, evse={"id": 2}))
        end = at + timedelta(minutes=1)
        odd = _event(
            "Ended", 1, end, tx="ODD", meter_value=_readings(end, 900000, "Transaction.End")
        )
        held = await st.call(odd)
        assert held.total_cost is None
        updated = await st.call(
            _event("Updated", 2, end, tx="ODD", trigger_reason="Authorized", id_token=FLEET)
        )
        assert updated.total_cost is None  # 2.0.1: only once charging has ended
    with db.sessions() as s:
        review = s.scalar(
            select(ChargingTransaction.review_reason).where(
                ChargingTransaction.transaction_ref == "ODD"
            )
        )
    assert review is not None


async def test_nothing_is_sent_without_running_2_0_1_sessions(server, db):
    async with connect201(server):
        await server.presence.flush()
        assert await asyncio.to_thread(send_running_costs, server.charging, server.bus) == 0
