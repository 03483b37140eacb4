"""Operator JSON API for chargers: list, live status, transactions, commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database
from mobility.errors import ChargerUnavailable, NotFound, ValidationFailed
from mobility.models import (
    Charger,
    ChargerCommand,
    ChargerVariable,
    ChargingTransaction,
    Connector,
    EvseConnector,
)
from mobility.web.auth import current_user, operator_required
from mobility.web.extensions import csrf
from mobility.web.pagination import envelope, page_args, paginate
from ocpp_server import commands, configuration, evses, protocols
from ocpp_server.reservations import reserve_in

bp = Blueprint("operator_api", __name__, url_prefix="/api/v1/operator")


EXTENSION = "ocpp_server.operator"


@dataclass(frozen=True)
class OperatorContext:
    """What the operator API needs: settings, database and the command bus to chargers."""

    settings: Settings
    db: Database
    bus: CommandBus


def _rt() -> OperatorContext:
    found: OperatorContext = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask, context: OperatorContext) -> None:
    """Register the operator's charger API (bearer tokens or session; operator role only)."""
    app.extensions[EXTENSION] = context
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _connector(c: Connector, inside: list[EvseConnector]) -> dict[str, Any]:
    """A connector (2.0.1: an EVSE, with the connectors inside it when the station said)."""
    found = {
        "connector_id": c.connector_id,
        "status": c.status,
        "error_code": c.error_code,
        "availability": c.availability,
        "status_at": _iso(c.status_at),
        "max_power_w": c.max_power_w,
    }
    if inside:
        found["evse_connectors"] = [
            {
                "connector_id": x.connector_id,
                "type": x.connector_type,
                "status": x.status,
                "availability": x.availability,
                "status_at": _iso(x.status_at),
            }
            for x in inside
        ]
    return found


def _charger(s: Session, c: Charger) -> dict[str, Any]:
    connectors = s.scalars(
        select(Connector).where(Connector.charger_id == c.id).order_by(Connector.connector_id)
    )
    inside = evses.connectors_of(s, c.id) if c.ocpp_version == "2.0.1" else {}
    return {
        "id": c.charge_point_id,
        "name": c.name,
        "hub_id": c.hub_id,
        "registration_status": c.registration_status,
        "online": c.is_online,
        "node": c.connected_node,
        "last_seen_at": _iso(c.last_seen_at),
        "vendor": c.vendor,
        "model": c.model,
        "firmware_version": c.firmware_version,
        "firmware_status": c.firmware_status,
        "diagnostics_status": c.diagnostics_status,
        "local_list_version": c.local_list_version,
        "local_list_status": c.local_list_status,
        "local_list_in_step": c.local_list_synced_version is not None
        and c.local_list_synced_version == c.local_list_version,
        "configuration": configuration.view(s, c.id),
        "ocpp_version": c.ocpp_version,
        "security_profile": c.security_profile,
        "commands": list(protocols.by_version(c.ocpp_version).commands),
        "connectors": [_connector(x, inside.get(x.connector_id, [])) for x in connectors],
    }


def _tx(t: ChargingTransaction) -> dict[str, Any]:
    return {
        "transaction_id": t.id,
        "connector_id": t.connector_id,
        "evse_connector_id": t.evse_connector_id,
        "id_tag": t.id_tag,
        "status": t.status,
        "started_at": _iso(t.started_at),
        "stopped_at": _iso(t.stopped_at),
        "meter_start_wh": t.meter_start_wh,
        "meter_stop_wh": t.meter_stop_wh,
        "energy_wh": t.energy_wh,
        "stop_reason": t.stop_reason,
        "company_id": t.company_id,
        "user_id": t.user_id,
        "billed": t.billed,
        "orphan": t.orphan,
    }


def _get_charger(s: Session, cp_id: str) -> Charger:
    charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
    if charger is None:
        raise NotFound(f"No charger {cp_id}.")
    return charger


@bp.get("/chargers")
@operator_required
def list_chargers() -> Any:
    """Chargers with live connector status, paginated."""
    page, per_page = page_args()
    with _rt().db.sessions() as s:
        stmt = select(Charger).order_by(Charger.charge_point_id)
        if request.args.get("online") in ("true", "false"):
            stmt = stmt.where(Charger.is_online.is_(request.args["online"] == "true"))
        items, total = paginate(s, stmt, page, per_page)
        return envelope([_charger(s, c) for c in items], total, page, per_page)


@bp.get("/chargers/<cp_id>")
@operator_required
def get_charger(cp_id: str) -> Any:
    """One charger with its connectors."""
    with _rt().db.sessions() as s:
        return _charger(s, _get_charger(s, cp_id))


@bp.get("/transactions")
@operator_required
def list_transactions() -> Any:
    """Charging sessions, newest first; ?charger=&status= filter."""
    page, per_page = page_args()
    with _rt().db.sessions() as s:
        stmt = select(ChargingTransaction).order_by(ChargingTransaction.started_at.desc())
        if cp_id := request.args.get("charger"):
            stmt = stmt.where(ChargingTransaction.charger_id == _get_charger(s, cp_id).id)
        if status := request.args.get("status"):
            stmt = stmt.where(ChargingTransaction.status == status)
        items, total = paginate(s, stmt, page, per_page)
        return envelope([_tx(t) for t in items], total, page, per_page)


@bp.get("/chargers/<cp_id>/commands")
@operator_required
def list_commands(cp_id: str) -> Any:
    """Command history of a charger with outcomes."""
    page, per_page = page_args()
    with _rt().db.sessions() as s:
        charger = _get_charger(s, cp_id)
        stmt = (
            select(ChargerCommand)
            .where(ChargerCommand.charger_id == charger.id)
            .order_by(ChargerCommand.id.desc())
        )
        items, total = paginate(s, stmt, page, per_page)
        rows = [
            {
                "id": c.id,
                "action": c.action,
                "payload": c.payload,
                "status": c.status,
                "response": c.response,
                "error": c.error,
                "created_at": _iso(c.created_at),
                "answered_at": _iso(c.answered_at),
            }
            for c in items
        ]
        return envelope(rows, total, page, per_page)


def _booking_arg() -> int | None:
    """`?booking=<id>`: the booking a reservation serves (cancelling it cancels the reservation)."""
    raw = request.args.get("booking")
    if raw is None:
        return None
    if not raw.isdigit():
        raise ValidationFailed(f"No booking {raw}.", field="booking")
    return int(raw)


@bp.post("/chargers/<cp_id>/commands/<action>")
@operator_required
def send_command(cp_id: str, action: str) -> Any:
    """Send an OCPP command (camelCase payload as JSON body) and return the charger's answer."""
    payload = request.get_json(silent=True)
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise ValidationFailed("The body must be a JSON object with the OCPP payload.")
    rt = _rt()
    with rt.db.transaction() as s:
        charger = _get_charger(s, cp_id)
        adapter = protocols.by_version(charger.ocpp_version)
        if action not in adapter.commands:
            raise NotFound(f"Unknown command {action}; use one of {', '.join(adapter.commands)}.")
        if action == "ReserveNow":
            user_id = getattr(current_user(), "id", None)
            _, payload = reserve_in(s, charger, adapter, payload, user_id, _booking_arg())
        charger_pk = charger.id
    try:
        answer = rt.bus.call_sync(cp_id, action, payload, rt.settings.command_timeout)
    except ChargerUnavailable:
        user_id = getattr(current_user(), "id", None)
        commands.command_offline(rt.db, charger_pk, action, payload, user_id)
        raise
    return {"charger": cp_id, "command": action, "payload": payload, "response": answer}


@bp.get("/chargers/<cp_id>/variables")
@operator_required
def list_variables(cp_id: str) -> Any:
    """A 2.0.1 station's device model as last reported (?component= filter), paginated."""
    page, per_page = page_args(100)
    with _rt().db.sessions() as s:
        stmt = (
            select(ChargerVariable)
            .where(ChargerVariable.charger_id == _get_charger(s, cp_id).id)
            .order_by(
                ChargerVariable.component,
                ChargerVariable.evse_id,
                ChargerVariable.connector_id,
                ChargerVariable.variable,
                ChargerVariable.attribute_type,
            )
        )
        if component := request.args.get("component"):
            stmt = stmt.where(ChargerVariable.component == component)
        items, total = paginate(s, stmt, page, per_page)
        rows = [
            {
                "component": v.component,
                "component_instance": v.component_instance or None,
                "evse_id": v.evse_id or None,
                "connector_id": v.connector_id or None,
                "variable": v.variable,
                "variable_instance": v.variable_instance or None,
                "attribute_type": v.attribute_type,
                "value": v.value,
                "mutability": v.mutability,
                "data_type": v.data_type,
                "unit": v.unit,
                "reboot_required": v.reboot_required,
                "updated_at": _iso(v.updated_at),
            }
            for v in items
        ]
        return envelope(rows, total, page, per_page)
