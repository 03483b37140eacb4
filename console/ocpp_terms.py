"""What the console knows of OCPP payloads (pure): example requests, configuration answers.

The commands themselves, their validation and their effects belong to the OCPP server; these
are only starting points for the operator's forms and ways to read answers back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_EXAMPLES_16: dict[str, dict[str, Any]] = {
    "RemoteStartTransaction": {"connectorId": 1, "idTag": "RFID-0001"},
    "RemoteStopTransaction": {"transactionId": 1},
    "Reset": {"type": "Soft"},
    "ChangeAvailability": {"connectorId": 0, "type": "Operative"},
    "UnlockConnector": {"connectorId": 1},
    "GetConfiguration": {},
    "ChangeConfiguration": {"key": "HeartbeatInterval", "value": "300"},
    "ClearCache": {},
    "TriggerMessage": {"requestedMessage": "StatusNotification", "connectorId": 1},
    "CancelReservation": {"reservationId": 1},
    "SetChargingProfile": {
        "connectorId": 1,
        "csChargingProfiles": {
            "chargingProfileId": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": {
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}],
            },
        },
    },
    "ClearChargingProfile": {},
    "GetCompositeSchedule": {"connectorId": 1, "duration": 3600},
    "SendLocalList": {"listVersion": 1, "updateType": "Full", "localAuthorizationList": []},
    "GetLocalListVersion": {},
    "UpdateFirmware": {
        "location": "https://firmware.example.org/fw.bin",
        "retrieveDate": "2030-01-01T00:00:00Z",
    },
    "GetDiagnostics": {"location": "https://diagnostics.example.org/upload"},
    "DataTransfer": {"vendorId": "org.example"},
}

_EXAMPLES_201: dict[str, dict[str, Any]] = {
    "RequestStartTransaction": {
        "idToken": {"idToken": "RFID-0001", "type": "ISO14443"},
        "remoteStartId": 1,
        "evseId": 1,
    },
    "RequestStopTransaction": {"transactionId": "tx-1"},
    "GetTransactionStatus": {},
    "Reset": {"type": "OnIdle"},
    "ChangeAvailability": {"operationalStatus": "Operative"},
    "UnlockConnector": {"evseId": 1, "connectorId": 1},
    "TriggerMessage": {"requestedMessage": "StatusNotification"},
    "GetVariables": {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
        ]
    },
    "SetVariables": {
        "setVariableData": [
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
                "attributeValue": "300",
            }
        ]
    },
    "GetBaseReport": {"requestId": 1, "reportBase": "ConfigurationInventory"},
    "GetReport": {"requestId": 1},
    "ClearCache": {},
    "SendLocalList": {"versionNumber": 1, "updateType": "Full"},
    "GetLocalListVersion": {},
    "CancelReservation": {"reservationId": 1},
    "SetChargingProfile": {
        "evseId": 1,
        "chargingProfile": {
            "id": 1,
            "stackLevel": 0,
            "chargingProfilePurpose": "TxDefaultProfile",
            "chargingProfileKind": "Absolute",
            "chargingSchedule": [
                {
                    "id": 1,
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}],
                }
            ],
        },
    },
    "ClearChargingProfile": {},
    "GetCompositeSchedule": {"evseId": 1, "duration": 3600},
    "UpdateFirmware": {
        "requestId": 1,
        "firmware": {
            "location": "https://firmware.example.org/fw.bin",
            "retrieveDateTime": "2030-01-01T00:00:00Z",
        },
    },
    "GetLog": {
        "logType": "DiagnosticsLog",
        "requestId": 1,
        "log": {"remoteLocation": "https://diagnostics.example.org/upload"},
    },
    "DataTransfer": {"vendorId": "org.example"},
    "SetDisplayMessage": {
        "message": {
            "id": 1,
            "priority": "NormalCycle",
            "message": {"format": "UTF8", "content": "Welcome"},
        }
    },
    "CostUpdated": {"totalCost": 1.0, "transactionId": "tx-1"},
    "SetVariableMonitoring": {
        "setMonitoringData": [
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "Temperature"},
                "type": "UpperThreshold",
                "value": 70,
                "severity": 3,
            }
        ]
    },
    "ClearVariableMonitoring": {"id": [1]},
    "SetMonitoringBase": {"monitoringBase": "FactoryDefault"},
    "SetMonitoringLevel": {"severity": 5},
    "GetMonitoringReport": {"requestId": 1},
    "CustomerInformation": {
        "requestId": 1,
        "report": True,
        "clear": False,
        "idToken": {"idToken": "RFID-0001", "type": "ISO14443"},
    },
}

# Commands without a free-form console form: reservations go through the OCPP server's
# reservation use case (our reservation row, its id in the command), from their own forms.
NOT_FROM_CONSOLE = frozenset({"ReserveNow", "CancelReservation"})


def example(version: str | None, action: str) -> str:
    """A pretty-printed example payload to start the operator's form from."""
    table = _EXAMPLES_201 if version == "2.0.1" else _EXAMPLES_16
    return json.dumps(table.get(action, {}), indent=2)


def parse_payload(text: str) -> dict[str, Any]:
    """The operator's JSON payload, which must be an object; ValueError otherwise."""
    value = json.loads(text.strip() or "{}")
    if not isinstance(value, dict):
        raise ValueError("The payload must be a JSON object.")
    return value


@dataclass(frozen=True)
class Setting:
    """One stored configuration key (1.6) or device-model attribute (2.0.1), as shown."""

    name: str
    value: str | None
    writable: bool
    note: str = ""
    # The form fields naming it in a change request (a key, or a component and variable).
    target: tuple[tuple[str, str], ...] = ()


def setting_16(
    key: str,
    value: str | None,
    readonly: bool | None,
    known: bool,
    pending_value: str | None,
    change_status: str | None,
) -> Setting:
    """A stored OCPP 1.6 configuration key."""
    if not known:
        note = "unknown to the charger"
    elif pending_value is not None:
        note = f"{pending_value} after the next reboot"
    else:
        note = f"last change: {change_status}" if change_status else ""
    return Setting(key, value, known and readonly is not True, note, (("key", key),))


def _qualified(name: str, instance: str) -> str:
    return f"{name}[{instance}]" if instance else name


def setting_201(
    component: str,
    component_instance: str,
    evse_id: int,
    connector_id: int,
    variable: str,
    variable_instance: str,
    attribute_type: str,
    value: str | None,
    mutability: str | None,
    reboot_required: bool,
) -> Setting:
    """A stored OCPP 2.0.1 device-model attribute (component.variable, with its place)."""
    place = f" EVSE {evse_id}" + (f"/{connector_id}" if connector_id else "") if evse_id else ""
    name = f"{_qualified(component, component_instance)}{place}."
    name += _qualified(variable, variable_instance)
    if attribute_type != "Actual":
        name += f" ({attribute_type})"
    target = (
        ("component", component),
        ("component_instance", component_instance),
        ("evse_id", str(evse_id)),
        ("connector_id", str(connector_id)),
        ("variable", variable),
        ("variable_instance", variable_instance),
        ("attribute_type", attribute_type),
    )
    return Setting(
        name,
        None if mutability == "WriteOnly" else value,
        mutability != "ReadOnly",
        "applies after a reset" if reboot_required else "",
        target,
    )


def read_request(version: str | None, request_id: int) -> tuple[str, dict[str, Any]]:
    """The command that has the charger report its whole configuration again."""
    if version == "2.0.1":
        return "GetBaseReport", {"requestId": request_id, "reportBase": "ConfigurationInventory"}
    return "GetConfiguration", {}


def _text(fields: Mapping[str, str], name: str, longest: int, required: bool = True) -> str:
    value = (fields.get(name) or "").strip()
    if (required and not value) or len(value) > longest:
        raise ValueError(f"'{name}' must be 1 to {longest} characters.")
    return value


def change_request(
    version: str | None, fields: Mapping[str, str], value: str
) -> tuple[str, dict[str, Any]]:
    """ChangeConfiguration (1.6) or SetVariables (2.0.1) of one setting; ValueError if malformed."""
    if version != "2.0.1":
        if len(value) > 500:
            raise ValueError("A 1.6 configuration value is at most 500 characters.")
        return "ChangeConfiguration", {"key": _text(fields, "key", 50), "value": value}
    if len(value) > 1000:
        raise ValueError("A 2.0.1 attribute value is at most 1000 characters.")
    component: dict[str, Any] = {"name": _text(fields, "component", 50)}
    variable: dict[str, Any] = {"name": _text(fields, "variable", 50)}
    if instance := _text(fields, "component_instance", 50, required=False):
        component["instance"] = instance
    if instance := _text(fields, "variable_instance", 50, required=False):
        variable["instance"] = instance
    try:
        evse, connector = int(fields.get("evse_id") or 0), int(fields.get("connector_id") or 0)
    except ValueError:
        raise ValueError("The EVSE and connector must be whole numbers.") from None
    if evse:
        component["evse"] = {"id": evse, **({"connectorId": connector} if connector else {})}
    data = {
        "attributeType": _text(fields, "attribute_type", 10, required=False) or "Actual",
        "attributeValue": value,
        "component": component,
        "variable": variable,
    }
    return "SetVariables", {"setVariableData": [data]}


def reserve_request(
    version: str | None, connector_id: int, id_tag: str, token_type: str, expires_at: datetime
) -> dict[str, Any]:
    """A ReserveNow payload in the charger's version (the OCPP server adds our reservation id)."""
    expiry = expires_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if version == "2.0.1":
        payload: dict[str, Any] = {
            "expiryDateTime": expiry,
            "idToken": {"idToken": id_tag, "type": token_type},
        }
        if connector_id:  # absent: any EVSE of the station
            payload["evseId"] = connector_id
        return payload
    return {"connectorId": connector_id, "expiryDate": expiry, "idTag": id_tag}


def stop_request(commands: Sequence[str], transaction_ref: str) -> tuple[str, dict[str, Any]]:
    """The command that stops a session on a charger offering `commands` (ValueError: none)."""
    if "RemoteStopTransaction" in commands:
        return "RemoteStopTransaction", {"transactionId": int(transaction_ref)}
    if "RequestStopTransaction" in commands:
        return "RequestStopTransaction", {"transactionId": transaction_ref}
    raise ValueError("This charger's protocol has no remote stop.")
