"""Pure rules of 2.0.1 stations: EVSE status from its connectors, vehicle schedules against
our limits, customer information parts, monitoring translations, local-list payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from ocpp_server import ev_schedules, rules
from ocpp_server.authlist import ListUpdate
from ocpp_server.customer_information import assemble
from ocpp_server.events import (
    ComponentVariable,
    LocalListEntryInfo,
    MonitorsCleared,
    MonitorsSet,
    VariablesReported,
)
from ocpp_server.v201 import local_list, monitoring

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_an_evse_shows_the_state_that_matters_of_its_connectors():
    assert rules.evse_status(["Unavailable", "Occupied"]) == "Occupied"
    assert rules.evse_status(["Available", "Reserved"]) == "Reserved"
    assert rules.evse_status(["Faulted", "Available"]) == "Available"
    assert rules.evse_status(["Faulted", "Unavailable"]) == "Faulted"
    assert rules.evse_status([]) == "Unavailable"
    assert rules.evse_availability(["Inoperative", "Operative"]) == "Operative"
    assert rules.evse_availability(["Inoperative"]) == "Inoperative"


def test_vehicle_schedules_against_our_limits():
    ours = ev_schedules.steps(T0, [(0, 11000), (3600, 7000)])
    within = ev_schedules.steps(T0 + timedelta(minutes=5), [(0, 10000), (3300, 7000)])
    assert not ev_schedules.exceeds(within, ours)
    # 10 kW still planned when our limit drops to 7 kW at 13:00.
    late = ev_schedules.steps(T0 + timedelta(minutes=5), [(0, 10000), (3600, 7000)])
    assert ev_schedules.exceeds(late, ours)
    assert ev_schedules.own_limit(within, ours) == 10000  # below our 11 kW: its choice
    assert ev_schedules.own_limit(ev_schedules.steps(T0, [(0, 11000)]), ours) is None
    assert ev_schedules.own_limit(within, []) == 10000
    assert not ev_schedules.exceeds(within, [])  # nothing of ours to compare with
    assert ev_schedules.to_watts(16, "A", None) == 16 * 230 * 3
    assert ev_schedules.to_watts(16, "A", 1) == 16 * 230


@given(
    st.lists(st.integers(0, 50_000), min_size=1, max_size=6),
    st.lists(st.integers(0, 50_000), min_size=1, max_size=6),
)
def test_a_schedule_never_above_the_lowest_limit_never_exceeds(ev: list[int], ours: list[int]):
    floor = min(ours)
    planned = ev_schedules.steps(T0, [(i * 600, min(w, floor)) for i, w in enumerate(ev)])
    limits = ev_schedules.steps(T0, [(i * 900, w) for i, w in enumerate(ours)])
    assert not ev_schedules.exceeds(planned, limits)


def test_customer_information_is_complete_once_every_part_came():
    assert assemble(1, [(0, "a", True), (2, "c", False)]).missing == (1,)
    whole = assemble(1, [(2, "c", False), (0, "a", True), (1, "b", True)])
    assert (whole.data, whole.complete, whole.parts) == ("abc", True, 3)
    unfinished = assemble(1, [(0, "a", True), (1, "b", True)])
    assert (unfinished.complete, unfinished.missing) == (False, ())
    assert not assemble(1, []).complete


TEMP = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Temperature"}}


def test_monitoring_answers_become_monitors_and_controller_values():
    asked = {
        "setMonitoringData": [
            {**TEMP, "value": 60, "type": "UpperThreshold", "severity": 2},
            {**TEMP, "value": 5, "type": "Delta", "severity": 6, "transaction": True},
        ]
    }
    answer = {
        "setMonitoringResult": [
            {**TEMP, "id": 8, "status": "Accepted", "type": "Delta", "severity": 6},
            {**TEMP, "status": "Rejected", "type": "UpperThreshold", "severity": 2},
        ]
    }
    [placed] = monitoring.effects("SetVariableMonitoring", asked, answer)
    assert isinstance(placed, MonitorsSet)
    [delta] = placed.monitors
    assert (delta.monitor_id, delta.value, delta.transaction_only) == (8, Decimal(5), True)
    assert delta.target == ComponentVariable("EVSE", "Temperature", evse_id=1)
    cleared = {
        "clearMonitoringResult": [
            {"id": 1, "status": "Accepted"},
            {"id": 2, "status": "Rejected"},
            {"id": 3, "status": "NotFound"},
        ]
    }
    assert monitoring.effects("ClearVariableMonitoring", {"id": [1, 2, 3]}, cleared) == [
        MonitorsCleared((1, 3))
    ]
    base = monitoring.effects(
        "SetMonitoringBase", {"monitoringBase": "HardWiredOnly"}, {"status": "Accepted"}
    )
    assert isinstance(base[0], VariablesReported) and base[1] == MonitorsCleared(None)
    assert monitoring.effects("SetMonitoringLevel", {"severity": 3}, {"status": "Rejected"}) == []


def test_local_list_payloads_name_token_types_and_groups():
    update = ListUpdate(
        5,
        False,
        (
            LocalListEntryInfo("CARD", "Accepted", T0, "FLEET", "ISO15693"),
            LocalListEntryInfo("GONE", None, kind="eMAID"),
        ),
    )
    payload = local_list.local_list_payload(update)
    assert payload["updateType"] == "Differential" and payload["versionNumber"] == 5
    card, gone = payload["localAuthorizationList"]
    assert card["idTokenInfo"] == {
        "status": "Accepted",
        "cacheExpiryDateTime": "2026-03-01T12:00:00Z",
        "groupIdToken": {"idToken": "FLEET", "type": "Central"},
    }
    assert gone == {"idToken": {"idToken": "GONE", "type": "eMAID"}}
    assert local_list.local_list_sent(payload, "Accepted").entries == update.entries
    empty = local_list.local_list_payload(ListUpdate(1, True, ()))
    assert "localAuthorizationList" not in empty  # the schema wants at least one entry
