"""Neutral power schedules as OCPP 2.0.1 SetChargingProfile / ClearChargingProfile. Pure."""

from __future__ import annotations

from typing import Any

from mobility.charging_schedule import TX_PROFILE, PowerSchedule
from mobility.clock import as_utc, parse_iso
from ocpp_server import ev_schedules


def set_profile(schedule: PowerSchedule) -> dict[str, Any]:
    """SetChargingProfileRequest (camelCase); the EVSE is the connector (one per EVSE)."""
    profile: dict[str, Any] = {
        "id": schedule.profile_id,
        "stackLevel": schedule.stack_level,
        "chargingProfilePurpose": schedule.purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": schedule.profile_id,
                "startSchedule": as_utc(schedule.start).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [
                    {"startPeriod": p.start_s, "limit": float(p.limit_w)} for p in schedule.periods
                ],
            }
        ],
    }
    if schedule.purpose == TX_PROFILE:
        profile["transactionId"] = str(schedule.transaction_ref)
    return {"evseId": schedule.connector_id, "chargingProfile": profile}


def clear_profile(profile_id: int) -> dict[str, Any]:
    """ClearChargingProfileRequest for one of our profiles."""
    return {"chargingProfileId": profile_id}


def profile_of(payload: dict[str, Any]) -> tuple[int, int, int, str, str | None]:
    """(connector, profile id, stack level, purpose, transaction ref) of a SetChargingProfile."""
    profile = payload["chargingProfile"]
    tx = profile.get("transactionId")
    return (
        int(payload["evseId"]),
        int(profile["id"]),
        int(profile["stackLevel"]),
        str(profile["chargingProfilePurpose"]),
        None if tx is None else str(tx),
    )


def profile_limits(payload: dict[str, Any]) -> list[ev_schedules.Step] | None:
    """The limits (W) of a SetChargingProfile we sent, in time; None when they are not fixed
    in time (a Relative or Recurring profile: no check against them)."""
    profile = payload.get("chargingProfile") or {}
    schedule = (profile.get("chargingSchedule") or [{}])[0]
    start = schedule.get("startSchedule")
    if profile.get("chargingProfileKind") != "Absolute" or not start:
        return None
    unit = str(schedule.get("chargingRateUnit", "W"))
    return ev_schedules.steps(
        parse_iso(str(start)),
        (
            (int(p["startPeriod"]), ev_schedules.to_watts(p["limit"], unit, p.get("numberPhases")))
            for p in schedule.get("chargingSchedulePeriod") or ()
        ),
    )
