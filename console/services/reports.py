"""Problem reports from citizens: the list operators work through, and what they do about one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import ProblemReport, ReportStatus, User, Vehicle, VehicleState


@dataclass(frozen=True)
class ReportRow:
    """A report with its vehicle and reporter as the list shows them."""

    report: ProblemReport
    vehicle_code: str
    vehicle_state: str
    reporter: str | None


def reports(db: Database, status: str | None, page: int, per_page: int) -> Page[ReportRow]:
    """Reports, open unsafe ones first, then newest."""
    stmt = (
        select(ProblemReport, Vehicle.code, Vehicle.state, User.email)
        .join(Vehicle, Vehicle.id == ProblemReport.vehicle_id)
        .outerjoin(User, User.id == ProblemReport.user_id)
        .order_by(ProblemReport.safety.desc(), ProblemReport.created_at.desc())
    )
    if status:
        stmt = stmt.where(ProblemReport.status == status)
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
    rows = [ReportRow(r, code, state, email) for r, code, state, email in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def put_in_maintenance(db: Database, actor: Actor, report_id: int, reason: str) -> str:
    """Take the reported vehicle out of service (not while someone rides it); its code."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed("Say why the vehicle goes to maintenance.", field="reason")
    with db.transaction() as s:
        report = s.get(ProblemReport, report_id)
        if report is None:
            raise NotFound("No such report.")
        vehicle = s.get(Vehicle, report.vehicle_id, with_for_update=True)
        assert vehicle is not None
        if vehicle.state == VehicleState.IN_USE:
            # Ending the trip parks it as available: ask the rider to stop, then come back.
            raise Conflict(f"{vehicle.code} is on a trip: put it in maintenance once it is back.")
        before = vehicle.state
        vehicle.state = VehicleState.MAINTENANCE
        record(
            s,
            actor,
            "vehicle.maintenance",
            "vehicle",
            vehicle.id,
            reason=reason,
            report_id=report.id,
            state_before=before,
        )
        return vehicle.code


def resolve(db: Database, actor: Actor, report_id: int) -> None:
    """Close a report (the vehicle's state is left as it is)."""
    with db.transaction() as s:
        report = s.get(ProblemReport, report_id, with_for_update=True)
        if report is None:
            raise NotFound("No such report.")
        if report.status == ReportStatus.RESOLVED:
            return
        report.status = ReportStatus.RESOLVED
        report.resolved_at, report.resolved_by_id = utcnow(), actor.id
        record(s, actor, "report.resolve", "problem_report", report.id)
