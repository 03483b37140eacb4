"""Smart-charging sites: grid limits, price/PV/limit series, stored plans and operator flags."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class SeriesKind(StrEnum):
    """What a 15-minute series of a site holds."""

    PRICE = "price"  # EUR/kWh imported (time-of-use or day-ahead)
    PV = "pv"  # forecast average PV power, kW
    LIMIT = "limit"  # dynamic grid limit, kW (operator schedule or district signal)


class FlagKind(StrEnum):
    """What the planner tells the operator."""

    BOOKING_SHORT = "booking_short"  # a booking is expected to depart below its target SoC
    PROFILE_REJECTED = "profile_rejected"  # the charger refused our profile: worst case planned
    NOT_FOLLOWED = "not_followed"  # measured power above the profile: worst case planned


class EnergySite(IdMixin, TimestampMixin, Base):
    """A hub's grid connection as the planner sees it."""

    __tablename__ = "energy_sites"

    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), unique=True)
    grid_limit_kw: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    phase_limit_a: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    voltage_v: Mapped[int] = mapped_column(Integer, default=230)
    pv_peak_kwp: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    flat_price_eur_kwh: Mapped[Decimal] = mapped_column(Numeric(8, 4), default=Decimal("0.25"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set by events (a booking, a limit pushed...): the next planner run re-plans at once.
    replan_requested_at: Mapped[datetime | None]
    planned_at: Mapped[datetime | None]
    inputs_digest: Mapped[str | None] = mapped_column(String(64))


class EnergySeries(IdMixin, Base):
    """One 15-minute value of a site's price, PV forecast or dynamic limit."""

    __tablename__ = "energy_series"
    __table_args__ = (
        UniqueConstraint("site_id", "kind", "slot_start"),
        one_of("kind", SeriesKind),
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("energy_sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    slot_start: Mapped[datetime]
    value: Mapped[Decimal] = mapped_column(Numeric(12, 4))


class EnergyPlan(IdMixin, Base):
    """A site's plan as computed: per-slot site figures, connector schedules, outcomes."""

    __tablename__ = "energy_plans"
    __table_args__ = (Index("ix_energy_plans_site_created", "site_id", "created_at"),)

    site_id: Mapped[int] = mapped_column(ForeignKey("energy_sites.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    start: Mapped[datetime]
    method: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    short_bookings: Mapped[int] = mapped_column(Integer, default=0)
    peak_kw: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("0"))
    cost_eur: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal("0"))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class EnergyFlag(IdMixin, Base):
    """Something the operator should look at; open until resolved."""

    __tablename__ = "energy_flags"
    __table_args__ = (
        Index("ix_energy_flags_site_open", "site_id", "resolved_at"),
        one_of("kind", FlagKind),
    )

    site_id: Mapped[int] = mapped_column(ForeignKey("energy_sites.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(80))  # "booking:12", "connector:CP-1/2"
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
