"""The audit log page: who did what, newest first."""

from __future__ import annotations

from typing import Any

from flask import request

from console.context import ctx
from console.pages import bp, page, paging
from console.services import audit


@bp.get("/audit")
def audit_log() -> Any:
    """Audit rows, optionally those of one record."""
    number, per_page = paging(50)
    found = audit.entries(
        ctx().db,
        number,
        per_page,
        target_type=request.args.get("target_type") or None,
        target_id=request.args.get("target_id") or None,
    )
    return page("audit.html", found=found)
