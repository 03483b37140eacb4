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
from ocpp_server.v201 import device_model, local_list, monitoring, schedules
from ocpp_server.v201.security import COMMANDS as SECURITY_COMMANDS

# The 2.0.1 functional blocks this CSMS drives: transactions, availability, device model and
# monitoring, local list, reservation, smart charging, firmware, diagnostics, display, tariff,
# customer information.
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
    "SetVariableMonitoring",
    "ClearVariableMonitoring",
    "SetMonitoringBase",
    "SetMonitoringLevel",
    "GetMonitoringReport",
    "CustomerInformation",
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
        return [_availability(payload)]
    if action == "GetVariables":
        return [VariablesReported(device_model.got_values(answer))]
    if action == "SetVariables":
        return [VariablesReported(device_model.set_values(payload, answer))]
    if action == "SetChargingProfile":
        connector, profile_id, stack, purpose, tx = schedules.profile_of(payload)
        return [ProfileOutcome(connector, profile_id, stack, purpose, accepted, payload, tx)]
    if action == "ClearChargingProfile" and accepted:
        return [_cleared(payload)]
    if action == "SendLocalList":  # Failed and VersionMismatch matter too: next time in full
        return [local_list.local_list_sent(payload, str(status))]
    if action == "GetLocalListVersion" and "versionNumber" in answer:
        return [LocalListVersion(int(answer["versionNumber"]))]
    return monitoring.effects(action, payload, answer)


def _availability(payload: dict[str, Any]) -> AvailabilityChanged:
    """The station (no evse), an EVSE (the core's connector) or one connector inside it."""
    evse = payload.get("evse") or {}
    connector = evse.get("connectorId")
    return AvailabilityChanged(
        int(evse["id"]) if evse.get("id") else None,
        str(payload["operationalStatus"]),
        None if connector is None or not evse.get("id") else int(connector),
    )


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
