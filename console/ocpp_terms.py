"""What the console knows of OCPP payloads (pure): example requests, configuration answers.

The commands themselves, their validation and their effects belong to the OCPP server; these
are only starting points for the operator's forms and ways to read answers back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
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

# Commands the console does not send: ReserveNow needs a reservation row made by the OCPP
# server's own use case (the operator API has it).
NOT_FROM_CONSOLE = frozenset({"ReserveNow"})


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
class ConfigKey:
    """One configuration setting as the charger reported it."""

    key: str
    value: str | None
    readonly: bool


def configuration(action: str, answer: Mapping[str, Any] | None) -> list[ConfigKey]:
    """Settings from a GetConfiguration (1.6) or GetVariables (2.0.1) answer."""
    if not answer:
        return []
    if action == "GetConfiguration":
        return [
            ConfigKey(str(k.get("key")), k.get("value"), bool(k.get("readonly")))
            for k in answer.get("configurationKey") or []
        ]
    keys = []
    for r in answer.get("getVariableResult") or []:
        name = f"{(r.get('component') or {}).get('name')}.{(r.get('variable') or {}).get('name')}"
        keys.append(ConfigKey(name, r.get("attributeValue"), False))
    return keys


def stop_request(commands: Sequence[str], transaction_ref: str) -> tuple[str, dict[str, Any]]:
    """The command that stops a session on a charger offering `commands` (ValueError: none)."""
    if "RemoteStopTransaction" in commands:
        return "RemoteStopTransaction", {"transactionId": int(transaction_ref)}
    if "RequestStopTransaction" in commands:
        return "RequestStopTransaction", {"transactionId": transaction_ref}
    raise ValueError("This charger's protocol has no remote stop.")
