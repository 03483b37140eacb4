"""Security decisions, pure: profiles, CSR acceptance, critical events, renewal, redaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PROFILES = (1, 2, 3)
BASIC_AUTH_PROFILES = (1, 2)  # profile 3 authenticates with the client certificate

# Security events the OCPP 1.6 security whitepaper and OCPP 2.0.1 mark as critical.
CRITICAL_EVENTS = frozenset(
    {
        "FirmwareUpdated",
        "SettingSystemTime",
        "StartupOfTheDevice",
        "ResetOrReboot",
        "SecurityLogWasCleared",
        "MemoryExhaustion",
        "TamperDetectionActivated",
    }
)

# Smallest keys a charger certificate may carry (whitepaper: RSA/DSA 2048, elliptic curve 224).
MIN_RSA_BITS = 2048
MIN_EC_BITS = 224
REDACTED = "********"


@dataclass(frozen=True)
class CsrFacts:
    """What a certificate signing request says, read by the CA module."""

    common_name: str | None
    key_type: str  # "RSA", "EC" or another algorithm's name
    key_bits: int
    signature_valid: bool


def is_critical(event_type: str) -> bool:
    """Whether a security event must alert the operator."""
    return event_type in CRITICAL_EVENTS


def profile_refusal(stored: int, connected: int) -> str | None:
    """Why a connection at profile `connected` is refused for a charger on `stored`, or None.

    A charger may come back on a higher profile (the upgrade it was told to make), never on
    a lower one: lowering is an operator's decision, outside OCPP (whitepaper A00.FR.005).
    """
    if connected < stored:
        return f"Security profile {connected} refused: this charger uses profile {stored}"
    return None


def raised_profile(stored: int, connected: int) -> int | None:
    """The charger's new profile once it connected on a higher one (None: unchanged)."""
    return connected if connected > stored else None


def csr_refusal(facts: CsrFacts, cp_id: str) -> str | None:
    """Why a charger's CSR is not signed, or None when it is acceptable."""
    if not facts.signature_valid:
        return "CSR signature is not valid"
    if facts.common_name != cp_id:
        return f"CSR common name {facts.common_name!r} is not the charger id {cp_id!r}"
    if facts.key_type == "RSA" and facts.key_bits < MIN_RSA_BITS:
        return f"RSA key of {facts.key_bits} bits is below {MIN_RSA_BITS}"
    if facts.key_type == "EC" and facts.key_bits < MIN_EC_BITS:
        return f"Elliptic curve key of {facts.key_bits} bits is below {MIN_EC_BITS}"
    if facts.key_type not in ("RSA", "EC"):
        return f"{facts.key_type} keys are not accepted (RSA or elliptic curve)"
    return None


def renewal_due(not_after: datetime, now: datetime, window: timedelta) -> bool:
    """Whether a certificate expires within the renewal window."""
    return not_after - now <= window


def redacted(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A command's payload as it may be stored: charger passwords replaced by a mark."""
    if action == "ChangeConfiguration" and payload.get("key") == "AuthorizationKey":
        return {**payload, "value": REDACTED}
    if action == "SetVariables" and isinstance(payload.get("setVariableData"), list):
        data = [
            {**d, "attributeValue": REDACTED} if is_password_variable(d) else d
            for d in payload["setVariableData"]
        ]
        return {**payload, "setVariableData": data}
    return payload


def is_password_variable(data: Any) -> bool:
    """A 2.0.1 SetVariableData setting the charger's HTTP Basic password."""
    if not isinstance(data, dict):
        return False
    component = data.get("component") or {}
    variable = data.get("variable") or {}
    return (
        isinstance(component, dict)
        and isinstance(variable, dict)
        and component.get("name") == "SecurityCtrlr"
        and variable.get("name") == "BasicAuthPassword"
    )
