"""OCPI commands as OCPP calls, per OCPP version, and the charger's answer as an OCPI result. Pure.

OCPP 1.6 names: RemoteStartTransaction, RemoteStopTransaction, ReserveNow, CancelReservation,
UnlockConnector; OCPP 2.0.1: RequestStart/StopTransaction and the same three others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roaming.wire import ocpi_time

COMMANDS = (
    "START_SESSION",
    "STOP_SESSION",
    "RESERVE_NOW",
    "CANCEL_RESERVATION",
    "UNLOCK_CONNECTOR",
)
V16 = "1.6"

# Charger answers (1.6 and 2.0.1 status values) -> OCPI CommandResultType.
_RESULTS = {
    "Accepted": "ACCEPTED",
    "Unlocked": "ACCEPTED",
    "Rejected": "REJECTED",
    "Occupied": "EVSE_OCCUPIED",
    "OngoingAuthorizedTransaction": "EVSE_OCCUPIED",
    "Faulted": "EVSE_INOPERATIVE",
    "Unavailable": "EVSE_INOPERATIVE",
    "NotSupported": "NOT_SUPPORTED",
    "UnlockFailed": "FAILED",
    "UnknownConnector": "FAILED",
}


@dataclass(frozen=True)
class OcppCall:
    """One OCPP call: its action name and payload (camelCase, as the command bus takes it)."""

    action: str
    payload: dict[str, Any]


def _is_16(version: str | None) -> bool:
    # A charger that never booted is addressed as 1.6, the older and commoner protocol.
    return version is None or version.startswith("1.6")


def _id_token(uid: str) -> dict[str, str]:
    # 2.0.1 IdTokenType: the eMSP's token is checked by us centrally.
    return {"idToken": uid, "type": "Central"}


def start_session(version: str | None, uid: str, connector: int, remote_id: int) -> OcppCall:
    """START_SESSION: a remote start for the partner's token on this connector."""
    if _is_16(version):
        return OcppCall("RemoteStartTransaction", {"connectorId": connector, "idTag": uid})
    return OcppCall(
        "RequestStartTransaction",
        {"idToken": _id_token(uid), "remoteStartId": remote_id, "evseId": connector},
    )


def stop_session(version: str | None, transaction_ref: str) -> OcppCall:
    """STOP_SESSION: a remote stop of the charger's transaction."""
    if _is_16(version):
        return OcppCall("RemoteStopTransaction", {"transactionId": int(transaction_ref)})
    return OcppCall("RequestStopTransaction", {"transactionId": transaction_ref})


def reserve_now(
    version: str | None, uid: str, connector: int, expires: datetime, reservation: int
) -> OcppCall:
    """RESERVE_NOW: reserve a connector for the partner's token until `expires`."""
    if _is_16(version):
        payload: dict[str, Any] = {
            "connectorId": connector,
            "expiryDate": ocpi_time(expires),
            "idTag": uid,
            "reservationId": reservation,
        }
        return OcppCall("ReserveNow", payload)
    payload = {
        "id": reservation,
        "expiryDateTime": ocpi_time(expires),
        "idToken": _id_token(uid),
        "evseId": connector,
    }
    return OcppCall("ReserveNow", payload)


def cancel_reservation(reservation: int) -> OcppCall:
    """CANCEL_RESERVATION (same in both versions)."""
    return OcppCall("CancelReservation", {"reservationId": reservation})


def unlock_connector(version: str | None, connector: int) -> OcppCall:
    """UNLOCK_CONNECTOR: 1.6 addresses the connector; 2.0.1 the EVSE and its connector 1."""
    if _is_16(version):
        return OcppCall("UnlockConnector", {"connectorId": connector})
    return OcppCall("UnlockConnector", {"evseId": connector, "connectorId": 1})


def result(answer: dict[str, Any]) -> str:
    """The OCPI CommandResultType of a charger's answer."""
    return _RESULTS.get(str(answer.get("status")), "FAILED")
