"""The OCPP 1.6 command catalogue (CSMS-initiated actions) and what their answers change."""

from __future__ import annotations

from typing import Any

from ocpp_server.events import (
    AvailabilityChanged,
    CommandEffect,
    ConfigurationChanged,
    HeartbeatIntervalChanged,
    LocalListVersion,
    ProfileCleared,
    ProfileOutcome,
    ReservationOutcome,
)
from ocpp_server.v16 import schedules, translate
from ocpp_server.v16.security import COMMANDS as SECURITY_COMMANDS

# Core, Firmware management, Local auth list, Reservation, Remote trigger and Smart charging.
COMMANDS: tuple[str, ...] = (
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "Reset",
    "ChangeAvailability",
    "UnlockConnector",
    "GetConfiguration",
    "ChangeConfiguration",
    "ClearCache",
    "TriggerMessage",
    "ReserveNow",
    "CancelReservation",
    "SetChargingProfile",
    "ClearChargingProfile",
    "GetCompositeSchedule",
    "SendLocalList",
    "GetLocalListVersion",
    "UpdateFirmware",
    "GetDiagnostics",
    "DataTransfer",
    *SECURITY_COMMANDS,  # the security whitepaper's (ocpp_server/v16/security.py)
)
_ACCEPTED = ("Accepted", "Scheduled")


def effects(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """What an answered command changes in our records (payload and answer in camelCase)."""
    status = answer.get("status")
    accepted = status in _ACCEPTED
    if action == "ReserveNow":
        outcome = "accepted" if accepted else str(status or "rejected").lower()
        return [ReservationOutcome(int(payload["reservationId"]), outcome)]
    if action == "CancelReservation" and accepted:
        return [ReservationOutcome(int(payload["reservationId"]), "cancelled")]
    if action == "ChangeAvailability" and accepted:
        return [AvailabilityChanged(int(payload["connectorId"]) or None, str(payload["type"]))]
    if action == "SetChargingProfile":
        connector, profile_id, stack, purpose, tx = schedules.profile_of(payload)
        return [ProfileOutcome(connector, profile_id, stack, purpose, accepted, payload, tx)]
    if action == "ClearChargingProfile" and accepted:
        return [_cleared(payload)]
    if action == "SendLocalList":
        return [translate.local_list_sent(payload, str(status))]
    if action == "GetLocalListVersion" and "listVersion" in answer:
        return [LocalListVersion(int(answer["listVersion"]))]
    if action == "GetConfiguration":
        return [translate.configuration_report(payload, answer)]
    if action == "ChangeConfiguration":
        key, value = str(payload.get("key")), str(payload.get("value"))
        changed: list[CommandEffect] = [ConfigurationChanged(key, value, str(status))]
        if status in ("Accepted", "RebootRequired"):
            changed += _configuration(key, value)
        return changed
    return []


def _configuration(key: str, value: str) -> list[CommandEffect]:
    """Configuration keys the CSMS keeps in step with (others are the charger's business)."""
    if key == "HeartbeatInterval" and value.isdigit() and 0 < int(value) <= 86_400:
        return [HeartbeatIntervalChanged(int(value))]
    return []


def _cleared(payload: dict[str, Any]) -> ProfileCleared:
    """What a ClearChargingProfile names: one profile by id, or criteria (absent: any)."""
    pid, connector = payload.get("id"), payload.get("connectorId")
    return ProfileCleared(
        None if pid is None else int(pid),
        None if connector is None else int(connector),
        payload.get("chargingProfilePurpose"),
    )
