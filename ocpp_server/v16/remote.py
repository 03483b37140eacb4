"""Neutral remote start and stop as OCPP 1.6 RemoteStart/StopTransaction requests. Pure."""

from __future__ import annotations

from typing import Any

from mobility.remote_charging import RemoteStart, RemoteStop


def start(request: RemoteStart) -> tuple[str, dict[str, Any]]:
    """RemoteStartTransaction.req for a connector and an id tag."""
    return "RemoteStartTransaction", {"connectorId": request.connector_id, "idTag": request.id_tag}


def stop(request: RemoteStop) -> tuple[str, dict[str, Any]]:
    """RemoteStopTransaction.req: 1.6 transaction ids are the CSMS's integers."""
    if not request.transaction_ref.isdigit():
        raise ValueError(f"transaction {request.transaction_ref!r} has no OCPP 1.6 id")
    return "RemoteStopTransaction", {"transactionId": int(request.transaction_ref)}
