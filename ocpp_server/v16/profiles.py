"""OCPP 1.6 charging profiles checked before they are sent, and composite schedules read. Pure.

A charger answers a malformed SetChargingProfile with Rejected (or worse, accepts and ignores
it); checking here gives the operator (and the planner) a clear reason instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from mobility.clock import parse_iso
from ocpp_server.profile_checks import ScheduleDifference, Step, schedule_differences

_UNIT_NAMES = {"Current": "A", "Power": "W", "A": "A", "W": "W"}
_PURPOSES = ("ChargePointMaxProfile", "TxDefaultProfile", "TxProfile")


def allowed_units(config: Mapping[str, str | None]) -> frozenset[str] | None:
    """Units from ChargingScheduleAllowedChargingRateUnit ("Current,Power"); None: unknown."""
    raw = config.get("ChargingScheduleAllowedChargingRateUnit")
    if raw is None:
        return None
    return frozenset(_UNIT_NAMES[p.strip()] for p in raw.split(",") if p.strip() in _UNIT_NAMES)


def _int_setting(config: Mapping[str, str | None], key: str) -> int | None:
    try:
        return int(str(config.get(key)).strip())
    except ValueError:
        return None


def problems(payload: Mapping[str, Any], config: Mapping[str, str | None]) -> list[str]:
    """What is wrong with a SetChargingProfile.req (camelCase), judged with the charger's
    configuration (ChargingScheduleAllowedChargingRateUnit, ChargeProfileMaxStackLevel,
    ChargingScheduleMaxPeriods) where it is known. Empty: fine to send."""
    profile = payload.get("csChargingProfiles")
    if not isinstance(profile, Mapping):
        return ["csChargingProfiles is missing"]
    found = _profile_problems(profile, payload.get("connectorId"), config)
    if profile.get("chargingProfileKind") == "Recurring" and not profile.get("recurrencyKind"):
        found.append("Recurring profiles need recurrencyKind (Daily or Weekly)")
    schedule = profile.get("chargingSchedule")
    if not isinstance(schedule, Mapping):
        return [*found, "chargingSchedule is missing"]
    return found + _schedule_problems(schedule, profile.get("chargingProfileKind"), config)


def _profile_problems(
    profile: Mapping[str, Any], connector: Any, config: Mapping[str, str | None]
) -> list[str]:
    found = []
    level = profile.get("stackLevel")
    top = _int_setting(config, "ChargeProfileMaxStackLevel")
    if not isinstance(level, int) or level < 0:
        found.append("stackLevel must be an integer >= 0")
    elif top is not None and level > top:
        found.append(f"stackLevel {level} is above the charger's ChargeProfileMaxStackLevel {top}")
    purpose = profile.get("chargingProfilePurpose")
    if purpose not in _PURPOSES:
        found.append(f"chargingProfilePurpose must be one of {', '.join(_PURPOSES)}")
    if purpose == "TxProfile" and connector == 0:
        found.append("a TxProfile needs a connectorId > 0")
    if purpose == "ChargePointMaxProfile" and connector not in (0, None):
        found.append("a ChargePointMaxProfile applies to connectorId 0")
    times = {k: _time(profile.get(k)) for k in ("validFrom", "validTo") if profile.get(k)}
    found += [f"{k} is not a timestamp" for k, t in times.items() if t is None]
    valid_from, valid_to = times.get("validFrom"), times.get("validTo")
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        found.append("validTo must be after validFrom")
    return found


def _schedule_problems(
    schedule: Mapping[str, Any], kind: Any, config: Mapping[str, str | None]
) -> list[str]:
    found = []
    start = schedule.get("startSchedule")
    if kind in ("Absolute", "Recurring") and not start:
        found.append(f"{kind} profiles need chargingSchedule.startSchedule")
    elif start and _time(start) is None:
        found.append("chargingSchedule.startSchedule is not a timestamp")
    unit = schedule.get("chargingRateUnit")
    units = allowed_units(config)
    if unit not in ("A", "W"):
        found.append("chargingRateUnit must be A or W")
    elif units is not None and unit not in units:
        allowed = ", ".join(sorted(units)) or "none"
        found.append(f"chargingRateUnit {unit} is not allowed by this charger (allowed: {allowed})")
    periods = schedule.get("chargingSchedulePeriod")
    if not isinstance(periods, list) or not periods:
        return [*found, "chargingSchedulePeriod needs at least one period"]
    most = _int_setting(config, "ChargingScheduleMaxPeriods")
    if most is not None and len(periods) > most:
        found.append(f"{len(periods)} periods, the charger takes at most {most}")
    return found + _period_problems(periods)


def _period_problems(periods: list[Any]) -> list[str]:
    found = []
    starts = [p.get("startPeriod") if isinstance(p, Mapping) else None for p in periods]
    if starts[0] != 0:
        found.append("the first period must start at startPeriod 0")
    numbers = [s for s in starts if isinstance(s, int)]
    if len(numbers) < len(starts) or any(b <= a for a, b in pairwise(numbers)):
        found.append("startPeriod values must be integers in ascending order")
    for n, p in enumerate(periods):
        limit = p.get("limit") if isinstance(p, Mapping) else None
        if not isinstance(limit, int | float) or isinstance(limit, bool) or limit < 0:
            found.append(f"period {n}: limit must be a number >= 0")
        phases = p.get("numberPhases") if isinstance(p, Mapping) else None
        if phases is not None and phases not in (1, 2, 3):
            found.append(f"period {n}: numberPhases must be 1, 2 or 3")
    return found


def _time(raw: Any) -> datetime | None:
    try:
        return parse_iso(str(raw))
    except ValueError:
        return None


def composite_steps(answer: Mapping[str, Any]) -> tuple[str | None, list[Step]]:
    """A GetCompositeSchedule.conf (camelCase) as (unit, absolute steps); empty when rejected."""
    schedule = answer.get("chargingSchedule")
    if answer.get("status") != "Accepted" or not isinstance(schedule, Mapping):
        return None, []
    start_raw = schedule.get("startSchedule") or answer.get("scheduleStart")
    start = parse_iso(str(start_raw))
    duration = schedule.get("duration")
    periods = sorted(schedule.get("chargingSchedulePeriod") or [], key=lambda p: p["startPeriod"])
    steps = []
    for n, p in enumerate(periods):
        begin = start + timedelta(seconds=int(p["startPeriod"]))
        if n + 1 < len(periods):
            end: datetime | None = start + timedelta(seconds=int(periods[n + 1]["startPeriod"]))
        else:
            end = start + timedelta(seconds=int(duration)) if duration is not None else None
        steps.append(Step(begin, end, float(p["limit"])))
    return schedule.get("chargingRateUnit"), steps


def composite_differences(
    answer: Mapping[str, Any], unit: str, expected: list[Step], tolerance: float = 0.1
) -> list[ScheduleDifference]:
    """How a charger's GetCompositeSchedule.conf differs from the schedule we expect.

    `expected` is in `unit` (A or W) with absolute times; a composite in another unit (ask
    with chargingRateUnit) or a rejected request differs everywhere.
    """
    actual_unit, actual = composite_steps(answer)
    if actual_unit is not None and actual_unit != unit:
        return [ScheduleDifference(s.start, s.end, None, s.limit) for s in expected]
    return schedule_differences(actual, expected, tolerance)
