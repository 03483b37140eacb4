"""Problem reports over JSON: citizens file them, operators list them and see their photos."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy import func, select

from booking.api import bp as api
from booking.context import ctx
from booking.report_rules import check_photo, check_report
from booking.report_views import read_upload
from mobility.errors import NotFound, ValidationFailed
from mobility.models import ProblemReport, ReportStatus, Vehicle
from mobility.web.auth import login_required, operator_required, require_user
from mobility.web.pagination import envelope, page_args

operator = Blueprint("reports_api", __name__, url_prefix="/api/v1/operator/problem-reports")


def serialise(r: ProblemReport, vehicle_code: str | None = None) -> dict[str, Any]:
    """A report as the API shows it."""
    return {
        "id": r.id,
        "vehicle_id": r.vehicle_id,
        "vehicle_code": vehicle_code,
        "trip_id": r.trip_id,
        "user_id": r.user_id,
        "category": r.category,
        "safety": r.safety,
        "description": r.description,
        "status": r.status,
        "has_photo": r.photo_key is not None,
        "photo_type": r.photo_type,
        "photo_bytes": r.photo_bytes,
        "created_at": r.created_at.isoformat(),
        "resolved_at": r.resolved_at.isoformat() if r.resolved_at else None,
    }


@api.post("/vehicles/<int:vehicle_id>/reports")
@login_required
def file_report(vehicle_id: int) -> Any:
    """Report a problem (multipart: category, description, unsafe=yes, photo, trip_id)."""
    form = request.form
    photo = check_photo(read_upload())
    facts = check_report(
        form.get("category", ""), form.get("description", ""), form.get("unsafe") == "yes"
    )
    raw_trip = form.get("trip_id") or None
    if raw_trip is not None and not raw_trip.isdigit():
        raise ValidationFailed("trip_id must be an integer.", field="trip_id")
    report = ctx().reports.file(
        require_user().id, vehicle_id, facts, photo, int(raw_trip) if raw_trip else None
    )
    return serialise(report), 201


@operator.get("")
@operator_required
def list_reports() -> Any:
    """Reports, unsafe ones first then newest; ?status=open|resolved, ?vehicle_id=."""
    page, per_page = page_args()
    stmt = select(ProblemReport, Vehicle.code).join(Vehicle, Vehicle.id == ProblemReport.vehicle_id)
    status = request.args.get("status")
    if status:
        if status not in tuple(ReportStatus):
            raise ValidationFailed("status must be open or resolved.", field="status")
        stmt = stmt.where(ProblemReport.status == status)
    if vehicle := request.args.get("vehicle_id"):
        if not vehicle.isdigit():
            raise ValidationFailed("vehicle_id must be an integer.", field="vehicle_id")
        stmt = stmt.where(ProblemReport.vehicle_id == int(vehicle))
    stmt = stmt.order_by(ProblemReport.safety.desc(), ProblemReport.created_at.desc())
    with ctx().db.sessions() as s:
        total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = s.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
        items = [serialise(r, code) for r, code in rows]
    return envelope(items, total, page, per_page)


@operator.get("/<int:report_id>/photo")
@operator_required
def report_photo(report_id: int) -> Response:
    """A report's photo, as stored (its type was checked from its bytes on upload)."""
    found = ctx().reports.photo(report_id)
    if found is None:
        raise NotFound("This report has no photo.")
    response = Response(found.data, mimetype=found.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
