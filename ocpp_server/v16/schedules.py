"""Neutral power schedules as OCPP 1.6 SetChargingProfile / ClearChargingProfile. Pure."""

from __future__ import annotations

from typing import Any

from mobility.charging_schedule import TX_PROFILE, PowerSchedule
from mobility.clock import as_utc


def set_profile(schedule: PowerSchedule) -> dict[str, Any]:
    """SetChargingProfile.req (camelCase); 1.6 transaction ids are the CSMS's integers."""
    profile: dict[str, Any] = {
        "chargingProfileId": schedule.profile_id,
        "stackLevel": schedule.stack_level,
        "chargingProfilePurpose": schedule.purpose,
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "startSchedule": as_utc(schedule.start).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [
                {"startPeriod": p.start_s, "limit": float(p.limit_w)} for p in schedule.periods
            ],
        },
    }
    if schedule.purpose == TX_PROFILE:
        ref = str(schedule.transaction_ref)
        if not ref.isdigit():
            raise ValueError(f"transaction {ref!r} has no OCPP 1.6 id")
        profile["transactionId"] = int(ref)
    return {"connectorId": schedule.connector_id, "csChargingProfiles": profile}


def clear_profile(profile_id: int) -> dict[str, Any]:
    """ClearChargingProfile.req for one of our profiles."""
    return {"id": profile_id}


def profile_of(payload: dict[str, Any]) -> tuple[int, int, int, str, str | None]:
    """(connector, profile id, stack level, purpose, transaction ref) of a SetChargingProfile."""
    profile = payload["csChargingProfiles"]
    tx = profile.get("transactionId")
    return (
        int(payload["connectorId"]),
        int(profile["chargingProfileId"]),
        int(profile["stackLevel"]),
        str(profile["chargingProfilePurpose"]),
        None if tx is None else str(tx),
    )
