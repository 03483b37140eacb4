"""A neutral schedule as each OCPP version's SetChargingProfile, and read back."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mobility.charging_schedule import PowerSchedule, SchedulePeriod
from ocpp_server.v16 import schedules as v16
from ocpp_server.v201 import schedules as v201

T = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
TX = PowerSchedule(2, "TxProfile", 9202, 1, T, (SchedulePeriod(0, 7400),), "41")
DEFAULT = PowerSchedule(1, "TxDefaultProfile", 9101, 1, T, (SchedulePeriod(0, 0),))


def test_v16_profile_names_the_csms_transaction_id():
    payload = v16.set_profile(TX)
    profile = payload["csChargingProfiles"]
    assert payload["connectorId"] == 2 and profile["transactionId"] == 41
    assert profile["chargingProfileKind"] == "Absolute"
    assert profile["chargingSchedule"]["startSchedule"] == "2026-11-27T14:00:00Z"
    assert profile["chargingSchedule"]["chargingSchedulePeriod"] == [
        {"startPeriod": 0, "limit": 7400.0}
    ]
    assert v16.profile_of(payload) == (2, 9202, 1, "TxProfile", "41")
    assert "transactionId" not in v16.set_profile(DEFAULT)["csChargingProfiles"]


def test_v16_cannot_name_a_station_chosen_transaction():
    with pytest.raises(ValueError):
        v16.set_profile(PowerSchedule(1, "TxProfile", 9201, 1, T, (SchedulePeriod(0, 1),), "tx-a"))


def test_v201_profile_is_per_evse_with_a_schedule_list():
    payload = v201.set_profile(
        PowerSchedule(1, "TxProfile", 9201, 1, T, (SchedulePeriod(0, 1),), "tx-a")
    )
    assert payload["evseId"] == 1
    assert payload["chargingProfile"]["transactionId"] == "tx-a"
    assert payload["chargingProfile"]["chargingSchedule"][0]["chargingRateUnit"] == "W"
    assert v201.profile_of(payload) == (1, 9201, 1, "TxProfile", "tx-a")
    assert v201.clear_profile(9201) == {"chargingProfileId": 9201}
