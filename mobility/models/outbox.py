"""Intents of side effects (payments, mail, charger commands), recorded in the use case's
transaction and carried out after commit; the same table drives retries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin, one_of


class OutboxStatus(StrEnum):
    """An intent waits (pending), was carried out (done) or gave up after its last attempt."""

    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"


class OutboxItem(IdMixin, Base):
    """One side effect to carry out; `key` is its deterministic idempotency key."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        one_of("status", OutboxStatus),
    )

    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Also the lease of a runner that claimed it: nobody else runs it before then.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
