"""Neutral remote start and stop over the bus reach each protocol as its own request."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from mobility.errors import ValidationFailed
from mobility.models import ChargerCommand
from mobility.remote_charging import START_CHARGING, STOP_CHARGING, RemoteStart, RemoteStop
from tests.e2e.ocpp_server.charger16 import Charger16
from tests.e2e.ocpp_server.conftest import connect
from tests.e2e.ocpp_server.station201 import connect201

START = RemoteStart(2, "RFID-CONFLUENCE-0001", 99, "ISO14443")


def _recorded(db) -> list[tuple[str, dict]]:
    with db.sessions() as s:
        rows = s.scalars(select(ChargerCommand).order_by(ChargerCommand.id))
        return [(c.action, c.payload) for c in rows]


async def test_a_201_station_gets_request_start_and_stop(server, db):
    async with connect201(server) as st:
        await asyncio.sleep(0.05)
        answer = await server.bus.call("CP-LYON-001", START_CHARGING, START.to_payload(), 5)
        assert answer["status"] == "Accepted"
        stop = RemoteStop("tx-r1").to_payload()
        assert (await server.bus.call("CP-LYON-001", STOP_CHARGING, stop, 5))[
            "status"
        ] == "Accepted"
        assert [a for a, _ in st.received] == ["RequestStartTransaction", "RequestStopTransaction"]
        assert st.received[0][1]["id_token"] == {
            "id_token": "RFID-CONFLUENCE-0001",
            "type": "ISO14443",
        }
        assert st.received[0][1]["evse_id"] == 2 and st.received[0][1]["remote_start_id"] == 99
    assert [a for a, _ in _recorded(db)] == ["RequestStartTransaction", "RequestStopTransaction"]


async def test_a_16_charger_gets_remote_start_and_stop(server, db):
    async with connect(server, cls=Charger16):
        await asyncio.sleep(0.05)
        answer = await server.bus.call("CP-LYON-001", START_CHARGING, START.to_payload(), 5)
        assert answer == {"status": "Accepted"}
        await server.bus.call("CP-LYON-001", STOP_CHARGING, RemoteStop("12").to_payload(), 5)
        # A 2.0.1 transaction id cannot be sent to a 1.6 charger: refused before sending.
        with pytest.raises(ValidationFailed):
            await server.bus.call("CP-LYON-001", STOP_CHARGING, RemoteStop("tx-1").to_payload(), 5)
    assert _recorded(db) == [
        ("RemoteStartTransaction", {"connectorId": 2, "idTag": "RFID-CONFLUENCE-0001"}),
        ("RemoteStopTransaction", {"transactionId": 12}),
    ]
