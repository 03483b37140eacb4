"""Driving licences: operators check what citizens entered before they can book e-cars."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import flash, request

from console.context import ctx
from console.pages import actor, back_to, bp, page, paging
from console.services import licences
from mobility.clock import utcnow
from mobility.errors import DomainError


def _list(status: int = 200, **extra: Any) -> Any:
    number, per_page = paging()
    state = request.args.get("state") or "pending"
    found = licences.listed(ctx().db, state, number, per_page)
    return page("licences.html", status, found=found, state=state, states=licences.STATES, **extra)


@bp.get("/licences")
def licences_list() -> Any:
    """Licences waiting for a check (or checked, or all)."""
    return _list()


@bp.post("/licences/<int:user_id>/verify")
def licence_verify(user_id: int) -> Any:
    """Mark a citizen's licence checked: they can book e-cars until it expires."""
    today = utcnow().astimezone(ZoneInfo(ctx().settings.timezone)).date()
    try:
        user = licences.verify(ctx().db, actor(), user_id, today)
    except DomainError as exc:
        return _list(exc.http_status, error=exc.message)
    flash(f"Licence of {user.email} checked.")
    return back_to("console.licences_list")


@bp.post("/licences/<int:user_id>/reject")
def licence_reject(user_id: int) -> Any:
    """Refuse a citizen's licence with a reason; they are mailed why and enter it again."""
    rt = ctx()
    reason = request.form.get("reason", "")
    try:
        user = licences.reject(rt.db, rt.outbox, rt.settings.base_url, actor(), user_id, reason)
    except DomainError as exc:
        return _list(exc.http_status, error=exc.message)
    flash(f"Licence of {user.email} refused.")
    return back_to("console.licences_list")
