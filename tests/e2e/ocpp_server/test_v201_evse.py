"""A 2.0.1 station with two connectors on EVSE 1 (CCS and CHAdeMO) and one on EVSE 2: each
connector's status kept and the EVSE showing what they sum up to, sessions on the connector
used, ChangeAvailability on an EVSE or on one of its connectors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ocpp.v201 import call
from sqlalchemy import select

from mobility.app import create_app
from mobility.models import (
    ApiToken,
    Charger,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    EvseConnector,
    User,
)
from mobility.security import token_digest
from tests.e2e.ocpp_server.station201 import connect201

CP = "CP-LYON-001"
STATION = {"model": "Dual DC", "vendor_name": "Acme"}
TYPES = {(1, 1): "cCCS2", (1, 2): "sCHAdeMO", (2, 1): "cType2"}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


async def _status(st: Any, evse: int, connector: int, status: str, at: datetime) -> None:
    await st.call(
        call.StatusNotification(
            timestamp=_iso(at), connector_status=status, evse_id=evse, connector_id=connector
        )
    )


async def _announce(st: Any, at: datetime) -> None:
    """Boot, the device model's connector types, every connector Available."""
    await st.call(call.BootNotification(charging_station=STATION, reason="PowerUp"))
    report = [
        {
            "component": {"name": "Connector", "evse": {"id": evse, "connector_id": connector}},
            "variable": {"name": "ConnectorType"},
            "variable_attribute": [{"type": "Actual", "value": kind, "mutability": "ReadOnly"}],
        }
        for (evse, connector), kind in TYPES.items()
    ]
    await st.call(
        call.NotifyReport(request_id=1, generated_at=_iso(at), seq_no=0, report_data=report)
    )
    for evse, connector in TYPES:
        await _status(st, evse, connector, "Available", at)


def _state(db: Any) -> tuple[dict[int, tuple[str, str]], dict[tuple[int, int], tuple[str, str]]]:
    with db.sessions() as s:
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == CP))
        evses = {
            c.connector_id: (c.status, c.availability)
            for c in s.scalars(select(Connector).where(Connector.charger_id == pk))
        }
        inside = {
            (c.evse_id, c.connector_id): (c.status, c.availability)
            for c in s.scalars(select(EvseConnector).where(EvseConnector.charger_id == pk))
        }
    return evses, inside


async def test_each_connector_has_its_status_and_the_evse_sums_them_up(server, db, settings):
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    async with connect201(server) as st:
        await _announce(st, t0)
        # A car on the CHAdeMO connector: the station makes the CCS one Unavailable meanwhile.
        await _status(st, 1, 2, "Occupied", t0 + timedelta(minutes=1))
        await _status(st, 1, 1, "Unavailable", t0 + timedelta(minutes=1))
        await _status(st, 1, 2, "Available", t0 + timedelta(seconds=30))  # late: ignored
        await _status(st, 2, 1, "Faulted", t0 + timedelta(minutes=2))
    await server.flush_reports()
    evses, inside = _state(db)
    assert inside == {
        (1, 1): ("Unavailable", "Operative"),
        (1, 2): ("Occupied", "Operative"),
        (2, 1): ("Faulted", "Operative"),
    }
    assert (evses[1][0], evses[2][0]) == ("Occupied", "Faulted")
    with db.sessions() as s:
        history = s.execute(
            select(ConnectorStatusEvent.connector_id, ConnectorStatusEvent.evse_connector_id)
        ).all()
    assert (1, 2) in history and len(history) == 7
    with db.transaction() as s:
        operator = s.scalar(select(User).where(User.email == "operator@example.org"))
        s.add(
            ApiToken(
                user_id=operator.id,
                token_hash=token_digest("tok-evse"),
                created_at=datetime.now(UTC),
            )
        )
    client = create_app(settings, db=db).test_client()
    view = client.get(
        f"/api/v1/operator/chargers/{CP}", headers={"Authorization": "Bearer tok-evse"}
    ).get_json()
    first = next(c for c in view["connectors"] if c["connector_id"] == 1)
    assert first["status"] == "Occupied"
    assert [(c["connector_id"], c["type"], c["status"]) for c in first["evse_connectors"]] == [
        (1, "cCCS2", "Unavailable"),
        (2, "sCHAdeMO", "Occupied"),
    ]


async def test_a_session_is_kept_on_the_connector_it_used(server, db):
    start = datetime.now(UTC) - timedelta(minutes=40)
    async with connect201(server) as st:
        await _announce(st, start)
        base = {"trigger_reason": "CablePluggedIn", "transaction_info": {"transaction_id": "DC-1"}}
        await st.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp=_iso(start),
                seq_no=0,
                evse={"id": 1, "connector_id": 2},
                **base,
            )
        )
        # Cable first on EVSE 2: the station names the EVSE and connector in a later event.
        other = {"trigger_reason": "CablePluggedIn", "transaction_info": {"transaction_id": "AC-1"}}
        await st.call(
            call.TransactionEvent(event_type="Started", timestamp=_iso(start), seq_no=0, **other)
        )
        await st.call(
            call.TransactionEvent(
                event_type="Updated",
                timestamp=_iso(start + timedelta(minutes=1)),
                seq_no=1,
                evse={"id": 2, "connector_id": 1},
                **{**other, "trigger_reason": "EVDetected"},
            )
        )
    await server.flush_reports()
    with db.sessions() as s:
        placed = {
            tx.transaction_ref: (tx.connector_id, tx.evse_connector_id)
            for tx in s.scalars(select(ChargingTransaction))
        }
    assert placed == {"DC-1": (1, 2), "AC-1": (2, 1)}


async def test_change_availability_of_a_connector_an_evse_or_the_station(server, db):
    async with connect201(server) as st:
        await _announce(st, datetime.now(UTC) - timedelta(minutes=5))

        async def change(status: str, evse: dict[str, int] | None = None) -> None:
            payload: dict[str, Any] = {"operationalStatus": status}
            if evse is not None:
                payload["evse"] = evse
            await server.bus.call(CP, "ChangeAvailability", payload, timeout=5)

        await change("Inoperative", {"id": 1, "connectorId": 2})
        evses, inside = _state(db)
        assert inside[(1, 2)][1] == "Inoperative" and inside[(1, 1)][1] == "Operative"
        assert evses[1][1] == "Operative"  # its CCS connector still works
        await change("Inoperative", {"id": 1, "connectorId": 1})
        assert _state(db)[0][1][1] == "Inoperative"
        await change("Inoperative", {"id": 2})
        evses, inside = _state(db)
        assert evses[2][1] == inside[(2, 1)][1] == "Inoperative"
        await change("Operative")
        assert st.received[-1][1] == {"operational_status": "Operative"}
    evses, inside = _state(db)
    assert {a for _, a in evses.values()} == {a for _, a in inside.values()} == {"Operative"}
