"""Problems and damage that citizens report on shared vehicles, for operators to act on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class ProblemCategory(StrEnum):
    """What is wrong with the vehicle."""

    DAMAGE = "damage"  # scratches, dents, broken parts
    BRAKES = "brakes"  # brakes, tyres, lights, steering: safety
    BATTERY = "battery"  # does not charge, range far below what is shown
    LOCK = "lock"  # does not lock or unlock
    DIRTY = "dirty"
    OTHER = "other"


class ReportStatus(StrEnum):
    """Where a report stands with the operators."""

    OPEN = "open"
    RESOLVED = "resolved"


class ProblemReport(IdMixin, TimestampMixin, Base):
    """One citizen's report on one vehicle, maybe from a trip, maybe with a photo."""

    __tablename__ = "problem_reports"
    __table_args__ = (
        Index("ix_problem_reports_status_created", "status", "created_at"),
        one_of("category", ProblemCategory),
        one_of("status", ReportStatus),
    )

    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    vehicle_id: Mapped[int] = mapped_column(
        ForeignKey("vehicles.id", ondelete="CASCADE"), index=True
    )
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(20))
    # The reporter says the vehicle is not safe to use: operators see these first.
    safety: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    # The photo's key in the file store (mobility.storage), its type and size.
    photo_key: Mapped[str | None] = mapped_column(String(120))
    photo_type: Mapped[str | None] = mapped_column(String(40))
    photo_bytes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.OPEN)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
