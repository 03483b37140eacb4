"""The audit log: every console change writes who did it, in the change's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.services.paging import Page, page_of
from mobility.db import Database
from mobility.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """The operator acting (id and email as they were at the time)."""

    id: int
    email: str


def record(
    s: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object,
    *,
    reason: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Add one audit row to the caller's transaction."""
    entry = AuditEntry(
        actor_id=actor.id,
        actor_email=actor.email,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        reason=reason,
        details=details or None,
    )
    s.add(entry)
    return entry


def entries(
    db: Database,
    page: int,
    per_page: int,
    *,
    target_type: str | None = None,
    target_id: str | None = None,
) -> Page[AuditEntry]:
    """Audit rows, newest first, optionally of one record."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    with db.sessions() as s:
        return page_of(s, stmt, page, per_page)
