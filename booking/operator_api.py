"""Operator JSON API for what booking needs checked by a person: citizens' driving licences."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, request

from booking import licences
from booking.context import ctx
from mobility.web.auth import operator_required, require_user
from mobility.web.pagination import envelope, page_args, paginate

bp = Blueprint("booking_operator_api", __name__, url_prefix="/api/v1/operator")


@bp.get("/licences")
@operator_required
def licence_list() -> Any:
    """Driving licences entered by citizens: ?status=pending (default), verified or all."""
    page, per_page = page_args()
    stmt = licences.listed(request.args.get("status", "pending"))
    with ctx().db.sessions() as s:
        items, total = paginate(s, stmt, page, per_page)
        return envelope([licences.as_json(u) for u in items], total, page, per_page)


@bp.post("/users/<int:user_id>/licence/verify")
@operator_required
def licence_verify(user_id: int) -> Any:
    """Mark a citizen's driving licence checked (409 when there is none or it has expired)."""
    tz = ZoneInfo(ctx().settings.timezone)
    user = licences.verify(ctx().db, require_user(), user_id, tz)
    return licences.as_json(user)


@bp.post("/users/<int:user_id>/licence/reject")
@operator_required
def licence_reject(user_id: int) -> Any:
    """Refuse a citizen's driving licence with a reason ({"reason"}); they are mailed why."""
    data = request.get_json(silent=True)
    reason = data.get("reason", "") if isinstance(data, dict) else ""
    rt = ctx()
    user = licences.reject(
        rt.db, rt.outbox, rt.settings.base_url, require_user(), user_id, str(reason)
    )
    return licences.as_json(user)
