"""The OCPP 2.0.1 command catalogue (CSMS-initiated actions) and what their answers change."""

from __future__ import annotations

from typing import Any

from ocpp_server.events import (
    AvailabilityChanged,
    CommandEffect,
    LocalListVersion,
    ReservationOutcome,
)
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
    "ClearChargingProfile",
    "GetCompositeSchedule",
    "UpdateFirmware",
    "GetLog",
    "DataTransfer",
    "SetDisplayMessage",
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
    if action == "SendLocalList" and accepted:
        return [LocalListVersion(int(payload["versionNumber"]))]
    if action == "GetLocalListVersion" and "versionNumber" in answer:
        return [LocalListVersion(int(answer["versionNumber"]))]
    return []
