"""Report a problem or damage on a vehicle (from its page, the trip page or the receipt)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from booking.context import ctx
from booking.flow_views import field_of, message
from booking.report_rules import CATEGORIES, MAX_PHOTO_BYTES, check_photo, check_report
from booking.views import Page, bp
from mobility.errors import DomainError, NotFound
from mobility.models import Trip, TripStatus, Vehicle
from mobility.web.auth import login_required, require_user

# Bodies up to twice the photo limit are read, so a photo a little too big gets a message
# next to its field rather than the platform's bare 413.
UPLOAD_BODY_LIMIT = 2 * MAX_PHOTO_BYTES
REPORT_FIELDS = ("category", "description", "photo")


def read_upload() -> bytes:
    """The photo part of a multipart form (empty when none was chosen)."""
    request.max_content_length = UPLOAD_BODY_LIMIT
    upload = request.files.get("photo")
    return upload.read(UPLOAD_BODY_LIMIT) if upload is not None else b""


def _trip_id(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@bp.route("/vehicles/<int:vehicle_id>/report", methods=["GET", "POST"])
@login_required
def report_problem(vehicle_id: int) -> Page:
    """Say what is wrong (category, description, optional photo); operators see it at once."""
    user = require_user()
    trip_id = _trip_id(request.values.get("trip_id"))
    if request.method == "GET":
        return _report_page(vehicle_id, trip_id, request.args)
    form = request.form
    try:
        photo = check_photo(read_upload())
        facts = check_report(
            form.get("category", ""), form.get("description", ""), form.get("unsafe") == "yes"
        )
        ctx().reports.file(user.id, vehicle_id, facts, photo, trip_id)
    except DomainError as exc:
        return _report_page(vehicle_id, trip_id, form, exc)
    flash(_("Thank you: your report has been sent to the operators."))
    return redirect(_after_report(vehicle_id, trip_id))


def _after_report(vehicle_id: int, trip_id: int | None) -> str:
    """Back to the trip under way, its receipt, or the vehicle."""
    if trip_id is None:
        return url_for("views.vehicle", vehicle_id=vehicle_id)
    with ctx().db.sessions() as s:
        trip = s.get(Trip, trip_id)
        active = trip is not None and trip.status == TripStatus.ACTIVE
    if active:
        return url_for("views.active_trip")
    return url_for("views.receipt", trip_id=trip_id)


def _report_page(
    vehicle_id: int, trip_id: int | None, form: Any, error: DomainError | None = None
) -> Page:
    with ctx().db.sessions() as s:
        vehicle = s.get(Vehicle, vehicle_id)
        if vehicle is None:
            raise NotFound("No such vehicle.")
    field = field_of(error) if error else None
    text = message(error) if error else None
    return render_template(
        "report.html",
        v=vehicle,
        trip_id=trip_id,
        form=form,
        categories=CATEGORIES,
        max_mb=MAX_PHOTO_BYTES // (1024 * 1024),
        error=None if field in REPORT_FIELDS else text,
        field_message=text if field in REPORT_FIELDS else None,
        error_field=field,
    ), (error.http_status if error else 200)
