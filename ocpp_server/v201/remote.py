"""Neutral remote start and stop as OCPP 2.0.1 RequestStart/StopTransaction requests. Pure."""

from __future__ import annotations

from typing import Any

from mobility.remote_charging import RemoteStart, RemoteStop


def start(request: RemoteStart) -> tuple[str, dict[str, Any]]:
    """RequestStartTransaction.req on an EVSE (our connector number) for an id token."""
    return "RequestStartTransaction", {
        "idToken": {"idToken": request.id_tag, "type": request.token_type},
        "remoteStartId": request.remote_start_id,
        "evseId": request.connector_id,
    }


def stop(request: RemoteStop) -> tuple[str, dict[str, Any]]:
    """RequestStopTransaction.req: 2.0.1 transaction ids are the station's strings."""
    return "RequestStopTransaction", {"transactionId": request.transaction_ref}
