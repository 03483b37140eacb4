"""Charging profiles checked before sending; composite schedules and measurements judged."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from ocpp_server.events import MeterSample
from ocpp_server.profile_checks import (
    Fallback,
    PauseAction,
    ScheduleDifference,
    Step,
    fallback,
    limit_applied,
    pause_action,
    stuck_in_finishing,
)
from ocpp_server.v16 import profiles

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _payload(**changes):
    schedule = {
        "chargingRateUnit": "A",
        "startSchedule": T0.isoformat(),
        "chargingSchedulePeriod": [
            {"startPeriod": 0, "limit": 16},
            {"startPeriod": 600, "limit": 8},
        ],
    }
    schedule.update(changes.pop("schedule", {}))
    profile = {
        "chargingProfileId": 7,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": schedule,
    }
    profile.update(changes)
    return {"connectorId": 1, "csChargingProfiles": profile}


def test_a_well_formed_profile_passes():
    config = {"ChargingScheduleAllowedChargingRateUnit": "Current,Power"}
    assert profiles.problems(_payload(), config) == []
    assert profiles.problems(_payload(), {}) == []  # unknown configuration: not held against it


@pytest.mark.parametrize(
    ("changes", "config", "message"),
    [
        ({"schedule": {"chargingSchedulePeriod": []}}, {}, "at least one period"),
        ({"schedule": {"startSchedule": None}}, {}, "Absolute profiles need"),
        ({"stackLevel": -1}, {}, "stackLevel must be"),
        ({"stackLevel": 9}, {"ChargeProfileMaxStackLevel": "3"}, "above the charger's"),
        ({}, {"ChargingScheduleAllowedChargingRateUnit": "Power"}, "A is not allowed"),
        ({"schedule": {"chargingRateUnit": "kW"}}, {}, "must be A or W"),
        (
            {"schedule": {"chargingSchedulePeriod": [{"startPeriod": 0, "limit": 6}] * 2}},
            {},
            "ascending",
        ),
        (
            {"schedule": {"chargingSchedulePeriod": [{"startPeriod": 60, "limit": 6}]}},
            {},
            "first period must start",
        ),
        (
            {"schedule": {"chargingSchedulePeriod": [{"startPeriod": 0, "limit": -1}]}},
            {},
            "limit must be a number >= 0",
        ),
        (
            {"chargingProfileKind": "Recurring"},
            {},
            "recurrencyKind",
        ),
        (
            {"validFrom": "2026-06-02T00:00:00Z", "validTo": "2026-06-01T00:00:00Z"},
            {},
            "validTo must be after validFrom",
        ),
        ({}, {"ChargingScheduleMaxPeriods": "1"}, "at most 1"),
    ],
)
def test_each_mistake_is_named(changes, config, message):
    found = profiles.problems(_payload(**changes), config)
    assert any(message in p for p in found), found


def test_tx_profiles_need_a_connector_and_max_profiles_the_whole_charger():
    tx = _payload(chargingProfilePurpose="TxProfile")
    assert any("connectorId > 0" in p for p in profiles.problems({**tx, "connectorId": 0}, {}))
    top = _payload(chargingProfilePurpose="ChargePointMaxProfile")
    assert any("connectorId 0" in p for p in profiles.problems(top, {}))


def _composite(periods, start=T0, duration=3600, unit="A"):
    return {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": start.isoformat(),
        "chargingSchedule": {
            "duration": duration,
            "startSchedule": start.isoformat(),
            "chargingRateUnit": unit,
            "chargingSchedulePeriod": periods,
        },
    }


def test_a_composite_schedule_matching_ours_has_no_differences():
    answer = _composite([{"startPeriod": 0, "limit": 16.0}, {"startPeriod": 1800, "limit": 8.0}])
    expected = [
        Step(T0, T0 + timedelta(minutes=30), 16),
        Step(T0 + timedelta(minutes=30), T0 + timedelta(hours=1), 8),
    ]
    assert profiles.composite_differences(answer, "A", expected) == []


def test_a_composite_schedule_that_kept_an_old_limit_is_reported_where_it_differs():
    answer = _composite([{"startPeriod": 0, "limit": 16.0}])
    expected = [
        Step(T0, T0 + timedelta(minutes=30), 16),
        Step(T0 + timedelta(minutes=30), T0 + timedelta(hours=1), 8),
    ]
    assert profiles.composite_differences(answer, "A", expected) == [
        ScheduleDifference(T0 + timedelta(minutes=30), T0 + timedelta(hours=1), 16.0, 8)
    ]


def test_a_composite_in_another_unit_or_rejected_differs_everywhere():
    expected = [Step(T0, T0 + timedelta(hours=1), 16)]
    watts = _composite([{"startPeriod": 0, "limit": 11000.0}], unit="W")
    assert profiles.composite_differences(watts, "A", expected) == [
        ScheduleDifference(T0, T0 + timedelta(hours=1), None, 16)
    ]
    assert profiles.composite_differences({"status": "Rejected"}, "A", expected) == [
        ScheduleDifference(T0, T0 + timedelta(hours=1), None, 16)
    ]


def _currents(values, start=T0, every=timedelta(seconds=60)):
    out = []
    for n, amps in enumerate(values):
        for phase in ("L1", "L2", "L3"):
            out.append(
                MeterSample(start + n * every, "Current.Import", Decimal(amps), "A", phase=phase)
            )
    return out


def test_quirk_13_an_accepted_limit_the_charger_ignores_is_detected_from_measured_current():
    # Accepted at T0 with a 10 A limit; the car keeps drawing 16 A per phase.
    verdict = limit_applied(10, "A", T0, _currents([16, 16, 16, 16]))
    assert verdict.applied is False and verdict.measured == 16
    assert limit_applied(10, "A", T0, _currents([16, 10, 9.8, 10.2])).applied is True
    # Within the grace period (the car adjusting) nothing is judged yet.
    assert limit_applied(10, "A", T0, _currents([16])).applied is None
    assert [fallback(n) for n in range(3)] == [
        Fallback.RESEND,
        Fallback.CLEAR_AND_RESEND,
        Fallback.STOP,
    ]


def test_quirk_15_a_session_that_must_resume_is_paused_with_a_zero_limit_not_stopped():
    assert pause_action("Charging", must_resume=True) is PauseAction.ZERO_LIMIT
    assert pause_action("SuspendedEV", must_resume=True) is PauseAction.ZERO_LIMIT
    assert pause_action("Charging", must_resume=False) is PauseAction.REMOTE_STOP
    assert pause_action("Available", must_resume=True) is PauseAction.NOTHING
    since = T0 - timedelta(minutes=20)
    assert stuck_in_finishing("Finishing", since, T0, timedelta(minutes=10))
    assert not stuck_in_finishing("Finishing", since, T0, timedelta(minutes=30))
