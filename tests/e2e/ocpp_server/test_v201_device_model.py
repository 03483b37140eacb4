"""A 2.0.1 station's device model is stored from its reports and command answers; ISO 15118
charging needs are kept and steer the smart-charging plan of its hub."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v201 import call, call_result
from ocpp.v201.enums import Action
from sqlalchemy import select

from energy.admin import SiteTerms, create_site
from energy.inputs import read_site
from mobility.app import create_app
from mobility.demo import CHARGER_PASSWORD
from mobility.models import (
    ApiToken,
    Charger,
    ChargerVariable,
    EnergySite,
    EvChargingNeeds,
    EvChargingSchedule,
    User,
)
from mobility.security import token_digest
from tests.e2e.ocpp_server.conftest import basic
from tests.e2e.ocpp_server.station201 import Station, connect201
from tests.support.openapi_check import check_documented

REPORT = [
    {
        "component": {"name": "OCPPCommCtrlr"},
        "variable": {"name": "HeartbeatInterval"},
        "variable_attribute": [{"type": "Actual", "value": "300", "mutability": "ReadWrite"}],
        "variable_characteristics": {
            "data_type": "integer",
            "unit": "s",
            "supports_monitoring": False,
        },
    },
    {
        "component": {"name": "EVSE", "evse": {"id": 1}},
        "variable": {"name": "Power"},
        "variable_attribute": [
            {"type": "Actual", "value": "0", "mutability": "ReadOnly"},
            {"type": "MaxSet", "value": "22000", "mutability": "ReadOnly"},
        ],
        "variable_characteristics": {
            "data_type": "decimal",
            "unit": "W",
            "supports_monitoring": True,
        },
    },
]


class RebootingStation(Station):
    """Takes every SetVariables but only after a reset."""

    @on(Action.set_variables)
    async def on_set_variables(self, set_variable_data: list[dict[str, Any]], **kw: Any) -> Any:
        results = [
            {
                "attribute_status": "RebootRequired",
                "component": d["component"],
                "variable": d["variable"],
            }
            for d in set_variable_data
        ]
        return call_result.SetVariables(set_variable_result=results)


def _variables(db) -> dict[tuple[str, int, str, str], ChargerVariable]:
    with db.sessions() as s:
        rows = s.scalars(select(ChargerVariable)).all()
        return {(v.component, v.evse_id, v.variable, v.attribute_type): v for v in rows}


async def test_notify_report_and_variable_commands_keep_the_device_model(server, db, settings):
    async with connect201(server) as st:
        for seq, part in enumerate(REPORT):
            await st.call(
                call.NotifyReport(
                    request_id=7,
                    generated_at=datetime.now(UTC).isoformat(),
                    seq_no=seq,
                    tbc=seq < len(REPORT) - 1,
                    report_data=[part],
                )
            )
        stored = _variables(db)
        assert stored[("EVSE", 1, "Power", "MaxSet")].value == "22000"
        heartbeat = stored[("OCPPCommCtrlr", 0, "HeartbeatInterval", "Actual")]
        assert (heartbeat.value, heartbeat.unit, heartbeat.mutability) == ("300", "s", "ReadWrite")
        target = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        await server.bus.call(
            "CP-LYON-001", "GetVariables", {"getVariableData": [target]}, timeout=5
        )
    assert len(_variables(db)) == 3
    with db.transaction() as s:
        operator = s.scalar(select(User).where(User.email == "operator@example.org"))
        s.add(
            ApiToken(
                user_id=operator.id, token_hash=token_digest("tok-dm"), created_at=datetime.now(UTC)
            )
        )
    client = create_app(settings, db=db).test_client()
    listed = client.get(
        "/api/v1/operator/chargers/CP-LYON-001/variables?component=EVSE",
        headers={"Authorization": "Bearer tok-dm"},
    ).get_json()
    assert "items" in listed, listed
    assert [(v["variable"], v["attribute_type"], v["value"]) for v in listed["items"]] == [
        ("Power", "Actual", "0"),
        ("Power", "MaxSet", "22000"),
    ]
    everything = client.get(
        "/api/v1/operator/chargers/CP-LYON-001/variables",
        headers={"Authorization": "Bearer tok-dm"},
    ).get_json()
    assert len(everything["items"]) == 3
    check_documented("get", "/api/v1/operator/chargers/{cp_id}/variables", everything)


async def test_set_variables_needing_a_reset_are_flagged(server, db):
    url = f"ws://127.0.0.1:{server.port}/ocpp/CP-LYON-001"
    async with websockets.connect(
        url, subprotocols=["ocpp2.0.1"], additional_headers=basic("CP-LYON-001", CHARGER_PASSWORD)
    ) as ws:
        st = RebootingStation("CP-LYON-001", ws, response_timeout=10)
        task = asyncio.create_task(st.start())
        data = {
            "attributeValue": "120",
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "HeartbeatInterval"},
        }
        answer = await server.bus.call(
            "CP-LYON-001", "SetVariables", {"setVariableData": [data]}, timeout=5
        )
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await task
    assert answer["setVariableResult"][0]["attributeStatus"] == "RebootRequired"
    row = _variables(db)[("OCPPCommCtrlr", 0, "HeartbeatInterval", "Actual")]
    assert row.value == "120" and row.reboot_required


async def test_charging_needs_are_accepted_where_smart_charged_and_feed_the_plan(server, db):
    needs = {
        "requested_energy_transfer": "AC_three_phase",
        "departure_time": (datetime.now(UTC) + timedelta(hours=3)).isoformat(),
        "ac_charging_parameters": {
            "energy_amount": 18000,
            "ev_min_current": 6,
            "ev_max_current": 16,
            "ev_max_voltage": 400,
        },
    }
    async with connect201(server) as st:
        refused = await st.call(call.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1))
        assert refused.status == "Rejected"  # no smart charging at this hub yet
        with db.sessions() as s:
            hub_id = s.scalar(
                select(Charger.hub_id).where(Charger.charge_point_id == "CP-LYON-001")
            )
        site_id = create_site(db, hub_id, SiteTerms(grid_limit_kw=Decimal(30)))
        await st.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp=datetime.now(UTC).isoformat(),
                trigger_reason="CablePluggedIn",
                seq_no=0,
                transaction_info={"transaction_id": "iso-1"},
                evse={"id": 1, "connector_id": 1},
            )
        )
        accepted = await st.call(call.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1))
        assert accepted.status == "Accepted"
    with db.sessions() as s:
        assert len(s.scalars(select(EvChargingNeeds)).all()) == 2
        inputs = read_site(s, s.get(EnergySite, site_id), datetime.now(UTC), 96)
    (session,) = inputs.problem.sessions
    assert session.energy_kwh == 18.0
    assert session.departure is not None and session.departure > datetime.now(UTC)


async def _received(st: Station, action: str, count: int) -> None:
    for _ in range(100):
        if sum(1 for a, _ in st.received if a == action) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{action} not received {count} times")


def _ev_schedule(at: datetime, unit: str, *periods: tuple[int, float]) -> Any:
    return call.NotifyEVChargingSchedule(
        time_base=at.isoformat(),
        evse_id=1,
        charging_schedule={
            "id": 1,
            "charging_rate_unit": unit,
            "charging_schedule_period": [
                {"start_period": start, "limit": limit} for start, limit in periods
            ],
        },
    )


async def test_ev_charging_schedules_are_checked_against_our_profile_and_feed_the_plan(server, db):
    now = datetime.now(UTC)
    with db.sessions() as s:
        hub_id = s.scalar(select(Charger.hub_id).where(Charger.charge_point_id == "CP-LYON-001"))
    site_id = create_site(db, hub_id, SiteTerms(grid_limit_kw=Decimal(30)))
    profile = {
        "evseId": 1,
        "chargingProfile": {
            "id": 501,
            "stackLevel": 1,
            "chargingProfilePurpose": "TxProfile",
            "chargingProfileKind": "Absolute",
            "transactionId": "iso-2",
            "chargingSchedule": [
                {
                    "id": 1,
                    "startSchedule": (now - timedelta(minutes=1)).isoformat(),
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
                }
            ],
        },
    }
    async with connect201(server) as st:
        await st.call(
            call.TransactionEvent(
                event_type="Started",
                timestamp=(now - timedelta(minutes=2)).isoformat(),
                trigger_reason="CablePluggedIn",
                seq_no=0,
                transaction_info={"transaction_id": "iso-2"},
                evse={"id": 1, "connector_id": 1},
            )
        )
        await server.bus.call("CP-LYON-001", "SetChargingProfile", profile, timeout=5)
        # The vehicle plans at most 7 kW, then 5: its own limit, below our 11 kW.
        kept = await st.call(_ev_schedule(now, "W", (0, 7000), (1800, 5000)))
        assert kept.status == "Accepted"
        with db.sessions() as s:
            (session,) = read_site(s, s.get(EnergySite, site_id), now, 96).problem.sessions
        assert session.max_kw == 7.0
        # 16 A on three phases is our 11 kW give or take rounding: within, and not its choice.
        amps = await st.call(_ev_schedule(now, "A", (0, 16)))
        assert amps.status == "Accepted"
        with db.sessions() as s:
            (session,) = read_site(s, s.get(EnergySite, site_id), now, 96).problem.sessions
        assert session.max_kw == 11.0
        # 20 kW after ten minutes is beyond our profile: Rejected, and the profile goes again.
        beyond = await st.call(_ev_schedule(now, "W", (0, 7000), (600, 20000)))
        assert beyond.status == "Rejected"
        await _received(st, "SetChargingProfile", 2)
    with db.sessions() as s:
        rows = s.scalars(select(EvChargingSchedule).order_by(EvChargingSchedule.id)).all()
    assert [(r.within_limits, r.max_power_w) for r in rows] == [
        (True, 7000),
        (True, None),
        (False, None),
    ]
    assert rows[1].periods_w == [[0, 11040]]
