"""The neutral power schedule: checked on creation, same JSON back, a stable digest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mobility.charging_schedule import PowerSchedule, SchedulePeriod

T = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def _schedule(**kw: object) -> PowerSchedule:
    fields = {
        "connector_id": 2,
        "purpose": "TxProfile",
        "profile_id": 9202,
        "stack_level": 1,
        "start": T,
        "periods": (SchedulePeriod(0, 7400), SchedulePeriod(900, 0)),
        "transaction_ref": "41",
    }
    fields.update(kw)
    return PowerSchedule(**fields)  # type: ignore[arg-type]


def test_payload_round_trip_and_digest():
    schedule = _schedule()
    back = PowerSchedule.from_payload(schedule.to_payload())
    assert back == schedule and back.digest == schedule.digest
    assert _schedule(periods=(SchedulePeriod(0, 7300),)).digest != schedule.digest


@pytest.mark.parametrize(
    "bad",
    [
        {"periods": ()},
        {"periods": (SchedulePeriod(60, 1000),)},
        {"periods": (SchedulePeriod(0, 1000), SchedulePeriod(0, 2000))},
        {"periods": (SchedulePeriod(0, -1),)},
        {"transaction_ref": None},
    ],
)
def test_malformed_schedules_are_refused(bad):
    with pytest.raises(ValueError):
        _schedule(**bad)
