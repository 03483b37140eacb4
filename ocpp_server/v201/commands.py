"""The OCPP 2.0.1 command catalogue (CSMS-initiated actions) and what their answers change."""

from __future__ import annotations

from typing import Any

from ocpp_server.events import (
    AvailabilityChanged,
    CommandEffect,
    LocalListVersion,
    ProfileCleared,
    ProfileOutcome,
    ReservationOutcome,
    VariablesReported,
)
from ocpp_server.v201 import device_model, schedules
from ocpp_server.v201.security import COMMANDS as SECURITY_COMMANDS

# Core profile of the 2.0.1 functional blocks this CSMS drives: transactions, availability,
# device model, local list, reservation, smart charging, firmware, diagnostics, display, tariff.
COMMANDS: tuple[str, ...] = (
    "RequestStartTransaction",
    "RequestStopTransaction",
    "GetTransactionStatus",
    "Reset",
    "ChangeAvailability",
    "UnlockConnector",
    "TriggerMessage",
    "GetVariables",
    "SetVariables",
    "GetBaseReport",
    "GetReport",
    "ClearCache",
    "SendLocalList",
    "GetLocalListVersion",
    "ReserveNow",
    "CancelReservation",
    "SetChargingProfile",
    "GetChargingProfiles",
    "ClearChargingProfile",
    "GetCompositeSchedule",
    "UpdateFirmware",
    "GetLog",
    "DataTransfer",
    "SetDisplayMessage",
    "GetDisplayMessages",
    "ClearDisplayMessage",
    "CostUpdated",
    *SECURITY_COMMANDS,  # certificates and network profiles (ocpp_server/v201/security.py)
)
_ACCEPTED = ("Accepted", "Scheduled")


def effects(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """What an answered command changes in our records (payload and answer in camelCase)."""
    status = answer.get("status")
    accepted = status in _ACCEPTED
    if action == "ReserveNow":
        outcome = "accepted" if accepted else str(status or "rejected").lower()
        return [ReservationOutcome(int(payload["id"]), outcome)]
    if action == "CancelReservation" and accepted:
        return [ReservationOutcome(int(payload["reservationId"]), "cancelled")]
    if action == "ChangeAvailability" and accepted:
        evse = (payload.get("evse") or {}).get("id")  # one connector per EVSE: evse = connector
        return [AvailabilityChanged(int(evse) if evse else None, str(payload["operationalStatus"]))]
    if action == "GetVariables":
        return [VariablesReported(device_model.got_values(answer))]
    if action == "SetVariables":
        return [VariablesReported(device_model.set_values(payload, answer))]
    if action == "SetChargingProfile":
        connector, profile_id, stack, purpose, tx = schedules.profile_of(payload)
        return [ProfileOutcome(connector, profile_id, stack, purpose, accepted, payload, tx)]
    if action == "ClearChargingProfile" and accepted:
        return [_cleared(payload)]
    if action == "SendLocalList" and accepted:
        return [LocalListVersion(int(payload["versionNumber"]))]
    if action == "GetLocalListVersion" and "versionNumber" in answer:
        return [LocalListVersion(int(answer["versionNumber"]))]
    return []


def _cleared(payload: dict[str, Any]) -> ProfileCleared:
    """What a ClearChargingProfile names: one profile by id, or criteria (absent: any)."""
    pid = payload.get("chargingProfileId")
    criteria = payload.get("chargingProfileCriteria") or {}
    evse = criteria.get("evseId")
    return ProfileCleared(
        None if pid is None else int(pid),
        None if evse is None else int(evse),
        criteria.get("chargingProfilePurpose"),
    )
