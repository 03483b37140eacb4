"""Operator JSON API for charger security: security events, certificates, security profiles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, request
from sqlalchemy import func, select

from mobility.errors import NotFound, ValidationFailed
from mobility.models import Charger, ChargerCertificate, SecurityEvent
from mobility.web.auth import current_user_id, operator_required
from mobility.web.extensions import csrf
from mobility.web.pagination import envelope, page_args, paginate
from ocpp_server.operator_api import OperatorContext
from ocpp_server.security.services import SecurityService

bp = Blueprint("security_api", __name__, url_prefix="/api/v1/operator")
EXTENSION = "ocpp_server.security"


@dataclass(frozen=True)
class SecurityContext:
    """The operator API's context plus the security use cases."""

    operator: OperatorContext
    security: SecurityService


def _rt() -> SecurityContext:
    found: SecurityContext = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask, context: SecurityContext) -> None:
    """Register the charger security API (operator role only)."""
    app.extensions[EXTENSION] = context
    csrf.exempt(bp)
    app.register_blueprint(bp)


def _event(e: SecurityEvent, cp_id: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "charger": cp_id,
        "type": e.type,
        "timestamp": e.timestamp.isoformat(),
        "tech_info": e.tech_info,
        "critical": e.critical,
        "received_at": e.received_at.isoformat(),
        "acknowledged_at": e.acknowledged_at.isoformat() if e.acknowledged_at else None,
    }


def _certificate(c: ChargerCertificate) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind,
        "status": c.status,
        "serial_number": c.serial_number,
        "subject": c.subject,
        "issuer": c.issuer,
        "not_before": c.not_before.isoformat() if c.not_before else None,
        "not_after": c.not_after.isoformat() if c.not_after else None,
        "reason": c.reason,
        "renewal_requested_at": (
            c.renewal_requested_at.isoformat() if c.renewal_requested_at else None
        ),
    }


@bp.get("/security-events")
@operator_required
def list_security_events() -> Any:
    """Security events, newest first; ?critical=true, ?open=true (unacknowledged), ?charger=."""
    page, per_page = page_args()
    with _rt().operator.db.sessions() as s:
        stmt = (
            select(SecurityEvent, Charger.charge_point_id)
            .join(Charger, Charger.id == SecurityEvent.charger_id)
            .order_by(SecurityEvent.timestamp.desc(), SecurityEvent.id.desc())
        )
        if request.args.get("critical") == "true":
            stmt = stmt.where(SecurityEvent.critical.is_(True))
        if request.args.get("open") == "true":
            stmt = stmt.where(SecurityEvent.acknowledged_at.is_(None))
        if cp_id := request.args.get("charger"):
            stmt = stmt.where(Charger.charge_point_id == cp_id)
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = s.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
        return envelope([_event(e, cp) for e, cp in rows], total, page, per_page)


@bp.post("/security-events/<int:event_id>/acknowledge")
@operator_required
def acknowledge_security_event(event_id: int) -> Any:
    """Mark a security event as seen by the operator."""
    _rt().security.acknowledge(event_id, current_user_id())
    return {"id": event_id, "acknowledged": True}


@bp.get("/chargers/<cp_id>/certificates")
@operator_required
def list_certificates(cp_id: str) -> Any:
    """A charger's certificates (signed by us, requested, installed roots), newest first."""
    page, per_page = page_args()
    with _rt().operator.db.sessions() as s:
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id))
        if pk is None:
            raise NotFound(f"No charger {cp_id}.")
        stmt = (
            select(ChargerCertificate)
            .where(ChargerCertificate.charger_id == pk)
            .order_by(ChargerCertificate.id.desc())
        )
        items, total = paginate(s, stmt, page, per_page)
        return envelope([_certificate(c) for c in items], total, page, per_page)


@bp.put("/chargers/<cp_id>/security-profile")
@operator_required
def set_security_profile(cp_id: str) -> Any:
    """Set the lowest security profile accepted from a charger (`{"profile": 1|2|3}`)."""
    body = request.get_json(silent=True)
    profile = body.get("profile") if isinstance(body, dict) else None
    if not isinstance(profile, int) or isinstance(profile, bool):
        raise ValidationFailed('Send {"profile": 1, 2 or 3}.', field="profile")
    _rt().security.set_profile(cp_id, profile)
    return {"charger": cp_id, "security_profile": profile}
