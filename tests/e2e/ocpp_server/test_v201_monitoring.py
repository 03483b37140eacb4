"""2.0.1 monitoring and customer information over real sockets: monitors kept per station
from command answers and reports, events stored once with their monitor's severity, customer
information put together from its parts, all readable through the operator API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.v201 import call
from sqlalchemy import select

from mobility.app import create_app
from mobility.errors import ValidationFailed
from mobility.models import ApiToken, ChargerMonitor, ChargerVariable, DeviceEvent, User
from mobility.security import token_digest
from tests.e2e.ocpp_server.station201 import connect201
from tests.support.openapi_check import check_documented

CP = "CP-LYON-001"
TEMPERATURE = {
    "component": {"name": "EVSE", "evse": {"id": 1}},
    "variable": {"name": "Temperature"},
}
POWER = {"component": {"name": "EVSE", "evse": {"id": 2}}, "variable": {"name": "Power"}}


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _monitors(db: Any) -> dict[int, ChargerMonitor]:
    with db.sessions() as s:
        return {m.monitor_id: m for m in s.scalars(select(ChargerMonitor))}


def _api(db: Any, settings: Any) -> tuple[Any, dict[str, str]]:
    with db.transaction() as s:
        operator = s.scalar(select(User).where(User.email == "operator@example.org"))
        s.add(
            ApiToken(
                user_id=operator.id,
                token_hash=token_digest("tok-mon"),
                created_at=datetime.now(UTC),
            )
        )
    return create_app(settings, db=db).test_client(), {"Authorization": "Bearer tok-mon"}


def _event(event_id: int, at: datetime, monitor: int | None, value: str) -> dict[str, Any]:
    event = {
        "event_id": event_id,
        "timestamp": _iso(at),
        "trigger": "Alerting",
        "actual_value": value,
        "event_notification_type": "CustomMonitor",
        **{k: v for k, v in TEMPERATURE.items()},
        "tech_code": "T-HIGH",
    }
    if monitor is not None:
        event["variable_monitoring_id"] = monitor
    return event


async def test_monitors_set_cleared_and_reported_are_kept_per_station(server, db):
    setting = {
        "setMonitoringData": [
            {**TEMPERATURE, "value": 60, "type": "UpperThreshold", "severity": 2},
            {**POWER, "value": 500.5, "type": "Delta", "severity": 7, "transaction": True},
        ]
    }
    async with connect201(server) as st:
        answer = await server.bus.call(CP, "SetVariableMonitoring", setting, timeout=5)
        assert [r["id"] for r in answer["setMonitoringResult"]] == [1, 2]
        stored = _monitors(db)
        assert (stored[1].variable, stored[1].evse_id, stored[1].monitor_type) == (
            "Temperature",
            1,
            "UpperThreshold",
        )
        assert (stored[2].value, stored[2].severity, stored[2].transaction_only) == (
            500.5,
            7,
            True,
        )
        # The station reports every monitor it has (one of ours changed, a preconfigured one).
        await server.bus.call(CP, "GetMonitoringReport", {"requestId": 4}, timeout=5)
        await st.call(
            call.NotifyMonitoringReport(
                request_id=4,
                seq_no=0,
                generated_at=_iso(datetime.now(UTC)),
                monitor=[
                    {
                        **TEMPERATURE,
                        "variable_monitoring": [
                            {
                                "id": 1,
                                "transaction": False,
                                "value": 65,
                                "type": "UpperThreshold",
                                "severity": 1,
                            },
                            {
                                "id": 900,
                                "transaction": False,
                                "value": 30,
                                "type": "Periodic",
                                "severity": 8,
                            },
                        ],
                    }
                ],
            )
        )
        assert {k: (m.value, m.severity) for k, m in _monitors(db).items()} == {
            1: (65, 1),
            2: (500.5, 7),
            900: (30, 8),
        }
        # 2 is gone (Accepted), 150 the station never had (NotFound): neither is kept.
        cleared = await server.bus.call(CP, "ClearVariableMonitoring", {"id": [2, 150]}, timeout=5)
        assert [r["status"] for r in cleared["clearMonitoringResult"]] == ["Accepted", "NotFound"]
        assert set(_monitors(db)) == {1, 900}
        await server.bus.call(CP, "SetMonitoringLevel", {"severity": 4}, timeout=5)
        await server.bus.call(
            CP, "SetMonitoringBase", {"monitoringBase": "HardWiredOnly"}, timeout=5
        )
    assert _monitors(db) == {}  # custom monitors cleared, preconfigured ones disabled
    with db.sessions() as s:
        controller = dict(
            s.execute(
                select(ChargerVariable.variable, ChargerVariable.value).where(
                    ChargerVariable.component == "MonitoringCtrlr"
                )
            ).all()
        )
    assert controller == {"ActiveMonitoringLevel": "4", "ActiveMonitoringBase": "HardWiredOnly"}


async def test_events_are_stored_once_with_their_monitors_severity(server, db, settings):
    at = datetime.now(UTC) - timedelta(minutes=2)
    setting = {
        "setMonitoringData": [{**TEMPERATURE, "value": 60, "type": "UpperThreshold", "severity": 2}]
    }
    async with connect201(server) as st:
        await server.bus.call(CP, "SetVariableMonitoring", setting, timeout=5)
        tripped = call.NotifyEvent(
            generated_at=_iso(at),
            seq_no=0,
            event_data=[_event(10, at, 1, "71.5"), _event(11, at, None, "cleared")],
        )
        await st.call(tripped)
        await st.call(tripped)  # replayed after a reconnect
        later = at + timedelta(minutes=1)
        await st.call(
            call.NotifyEvent(
                generated_at=_iso(later),
                seq_no=0,
                event_data=[{**_event(12, later, 1, "58"), "cleared": True, "cause": 10}],
            )
        )
    with db.sessions() as s:
        events = s.scalars(select(DeviceEvent).order_by(DeviceEvent.event_id)).all()
        assert [(e.event_id, e.severity, e.actual_value) for e in events] == [
            (10, 2, "71.5"),
            (11, None, "cleared"),
            (12, 2, "58"),
        ]
        assert (events[2].cleared, events[2].cause, events[0].tech_code) == (True, 10, "T-HIGH")
    client, h = _api(db, settings)
    listed = client.get(f"/api/v1/operator/chargers/{CP}/device-events?severity=3", headers=h)
    assert [e["event_id"] for e in listed.get_json()["items"]] == [12, 10]  # newest first
    assert listed.get_json()["items"][1]["evse_id"] == 1
    events_path = "/api/v1/operator/chargers/{cp_id}/device-events"
    every = client.get(f"/api/v1/operator/chargers/{CP}/device-events", headers=h).get_json()
    assert len(every["items"]) == 3
    check_documented("get", events_path, every)
    monitors = client.get(f"/api/v1/operator/chargers/{CP}/monitors", headers=h).get_json()
    assert [(m["id"], m["type"], m["value"], m["severity"]) for m in monitors["items"]] == [
        (1, "UpperThreshold", "60", 2)
    ]
    check_documented("get", "/api/v1/operator/chargers/{cp_id}/monitors", monitors)
    bad = client.get(f"/api/v1/operator/chargers/{CP}/device-events?severity=12", headers=h)
    assert bad.status_code == 422
    check_documented("get", events_path, bad.get_json(), 422)
    unknown = client.get("/api/v1/operator/chargers/CP-NOWHERE/monitors", headers=h)
    assert unknown.status_code == 404
    check_documented("get", "/api/v1/operator/chargers/{cp_id}/monitors", unknown.get_json(), 404)


async def test_customer_information_is_put_together_by_request(server, db, settings):
    now = _iso(datetime.now(UTC))
    asked = {
        "requestId": 77,
        "report": True,
        "clear": False,
        "idToken": {"idToken": "RFID-CONFLUENCE-0001", "type": "ISO14443"},
    }
    async with connect201(server) as st:
        answer = await server.bus.call(CP, "CustomerInformation", asked, timeout=5)
        assert answer == {"status": "Accepted"}
        assert st.received[-1][1]["id_token"]["id_token"] == "RFID-CONFLUENCE-0001"
        parts = [(0, "sessions: 12; ", True), (2, "last seen 2026-01-05", False)]
        for seq, data, tbc in parts:  # the middle part comes last, one part twice
            msg = call.NotifyCustomerInformation(
                data=data, seq_no=seq, generated_at=now, request_id=77, tbc=tbc
            )
            await st.call(msg)
        client, h = _api(db, settings)
        url = f"/api/v1/operator/chargers/{CP}/customer-information/77"
        partial = client.get(url, headers=h).get_json()
        assert (partial["complete"], partial["missing_parts"]) == (False, [1])
        for seq, data in ((1, "cards: 1; "), (1, "cards: 1; ")):
            msg = call.NotifyCustomerInformation(
                data=data, seq_no=seq, generated_at=now, request_id=77, tbc=True
            )
            await st.call(msg)
    whole = client.get(url, headers=h).get_json()
    assert whole["complete"] and whole["parts"] == 3
    assert whole["data"] == "sessions: 12; cards: 1; last seen 2026-01-05"
    documented = "/api/v1/operator/chargers/{cp_id}/customer-information/{request_id}"
    check_documented("get", documented, partial)
    check_documented("get", documented, whole)
    nothing = client.get(f"/api/v1/operator/chargers/{CP}/customer-information/78", headers=h)
    assert nothing.status_code == 404
    check_documented("get", documented, nothing.get_json(), 404)


async def test_monitoring_commands_are_checked_before_sending(server):
    async with connect201(server) as st:
        with pytest.raises(ValidationFailed):
            bad = {
                "setMonitoringData": [
                    {**TEMPERATURE, "value": 60, "type": "Sometimes", "severity": 2}
                ]
            }
            await server.bus.call(CP, "SetVariableMonitoring", bad, timeout=5)
        with pytest.raises(ValidationFailed, match="needs"):
            await server.bus.call(CP, "CustomerInformation", {"requestId": 1}, timeout=5)
        with pytest.raises(ValidationFailed):
            await server.bus.call(CP, "SetMonitoringLevel", {"severity": "high"}, timeout=5)
        assert st.received == []  # nothing invalid reached the station
