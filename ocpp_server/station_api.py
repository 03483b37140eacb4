"""Operator JSON API for what 2.0.1 stations keep beyond the core: monitors, device events,
customer information (the charger view itself shows connectors inside EVSEs)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.errors import NotFound, ValidationFailed
from mobility.models import Charger, ChargerMonitor, DeviceEvent
from mobility.web.auth import operator_required
from mobility.web.extensions import csrf
from mobility.web.pagination import envelope, page_args, paginate
from ocpp_server import customer_information
from ocpp_server.operator_api import EXTENSION, OperatorContext

bp = Blueprint("station_api", __name__, url_prefix="/api/v1/operator")


def init_app(app: Flask) -> None:
    """Register the station API beside the operator API (whose context it uses)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _rt() -> OperatorContext:
    found: OperatorContext = current_app.extensions[EXTENSION]
    return found


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _charger_pk(s: Session, cp_id: str) -> int:
    pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id))
    if pk is None:
        raise NotFound(f"No charger {cp_id}.")
    return pk


def _place(row: ChargerMonitor | DeviceEvent) -> dict[str, Any]:
    return {
        "component": row.component,
        "component_instance": row.component_instance or None,
        "evse_id": row.evse_id or None,
        "connector_id": row.connector_id or None,
        "variable": row.variable,
        "variable_instance": row.variable_instance or None,
    }


@bp.get("/chargers/<cp_id>/monitors")
@operator_required
def list_monitors(cp_id: str) -> Any:
    """A 2.0.1 station's variable monitors as it last answered or reported them."""
    page, per_page = page_args(100)
    with _rt().db.sessions() as s:
        stmt = (
            select(ChargerMonitor)
            .where(ChargerMonitor.charger_id == _charger_pk(s, cp_id))
            .order_by(ChargerMonitor.monitor_id)
        )
        items, total = paginate(s, stmt, page, per_page)
        rows = [
            {
                "id": m.monitor_id,
                **_place(m),
                "type": m.monitor_type,
                "value": format(m.value.normalize(), "f"),
                "severity": m.severity,
                "transaction": m.transaction_only,
                "updated_at": _iso(m.updated_at),
            }
            for m in items
        ]
        return envelope(rows, total, page, per_page)


def _severity_arg() -> int | None:
    raw = request.args.get("severity")
    if raw is None:
        return None
    if not raw.isdigit() or int(raw) > 9:
        raise ValidationFailed("severity is 0 (danger) to 9 (debug)", field="severity")
    return int(raw)


@bp.get("/chargers/<cp_id>/device-events")
@operator_required
def list_device_events(cp_id: str) -> Any:
    """A 2.0.1 station's NotifyEvent events, newest first (?severity=N: N or worse)."""
    page, per_page = page_args()
    severity = _severity_arg()
    with _rt().db.sessions() as s:
        stmt = (
            select(DeviceEvent)
            .where(DeviceEvent.charger_id == _charger_pk(s, cp_id))
            .order_by(DeviceEvent.timestamp.desc(), DeviceEvent.id.desc())
        )
        if severity is not None:
            stmt = stmt.where(DeviceEvent.severity <= severity)
        items, total = paginate(s, stmt, page, per_page)
        rows = [
            {
                "event_id": e.event_id,
                "timestamp": _iso(e.timestamp),
                "trigger": e.trigger,
                "notification_type": e.notification_type,
                **_place(e),
                "actual_value": e.actual_value,
                "cause": e.cause,
                "tech_code": e.tech_code,
                "tech_info": e.tech_info,
                "cleared": e.cleared,
                "transaction_id": e.transaction_ref,
                "monitor_id": e.monitor_id,
                "severity": e.severity,
            }
            for e in items
        ]
        return envelope(rows, total, page, per_page)


@bp.get("/chargers/<cp_id>/customer-information/<int:request_id>")
@operator_required
def get_customer_information(cp_id: str, request_id: int) -> Any:
    """What a station answered to CustomerInformation {requestId}, its parts put together."""
    with _rt().db.sessions() as s:
        found = customer_information.answer(s, _charger_pk(s, cp_id), request_id)
    if not found.parts:
        raise NotFound(f"{cp_id} sent nothing for request {request_id} (yet).")
    return {
        "charger": cp_id,
        "request_id": found.request_id,
        "complete": found.complete,
        "parts": found.parts,
        "missing_parts": list(found.missing),
        "data": found.data,
    }
