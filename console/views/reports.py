"""Problem reports: what citizens report on vehicles, unsafe ones first; maintenance, resolve."""

from __future__ import annotations

from typing import Any

from flask import flash, request

from console.context import ctx
from console.pages import actor, back_to, bp, page, paging
from console.services import reports
from mobility.errors import DomainError, ValidationFailed
from mobility.models import ReportStatus

# The photo is served by the booking package's operator API (the console keeps no files).
PHOTO_URL = "/api/v1/operator/problem-reports/{id}/photo"


def _list(status: int = 200, **extra: Any) -> Any:
    number, per_page = paging()
    wanted = request.args.get("status", ReportStatus.OPEN) or None
    if wanted is not None and wanted not in set(ReportStatus):
        raise ValidationFailed("Unknown report status.", field="status")
    found = reports.reports(ctx().db, wanted, number, per_page)
    return page(
        "reports.html",
        status,
        found=found,
        statuses=list(ReportStatus),
        wanted=wanted or "",
        photo_url=PHOTO_URL,
        **extra,
    )


@bp.get("/reports")
def reports_list() -> Any:
    """Open problem reports (or all, or resolved)."""
    return _list()


@bp.post("/reports/<int:report_id>/maintenance")
def report_maintenance(report_id: int) -> Any:
    """Put the reported vehicle in maintenance."""
    try:
        code = reports.put_in_maintenance(
            ctx().db, actor(), report_id, request.form.get("reason", "")
        )
    except DomainError as exc:
        return _list(exc.http_status, error=f"Report #{report_id}: {exc.message}")
    flash(f"{code} is in maintenance.")
    return back_to("console.reports_list")


@bp.post("/reports/<int:report_id>/resolve")
def report_resolve(report_id: int) -> Any:
    """Mark a report resolved."""
    try:
        reports.resolve(ctx().db, actor(), report_id)
    except DomainError as exc:
        return _list(exc.http_status, error=f"Report #{report_id}: {exc.message}")
    flash(f"Report #{report_id} resolved.")
    return back_to("console.reports_list")
