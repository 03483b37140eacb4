"""Mobility hubs and the shared vehicles parked at them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class VehicleKind(StrEnum):
    """What sort of vehicle it is."""

    EBIKE = "ebike"
    ECAR = "ecar"


class VehicleState(StrEnum):
    """Operational state: only AVAILABLE vehicles can be rented."""

    AVAILABLE = "available"
    IN_USE = "in_use"
    MAINTENANCE = "maintenance"
    OFFLINE = "offline"
    RETIRED = "retired"


class VehicleVisibility(StrEnum):
    """Who may book a vehicle (company-owned vehicles may be members-only)."""

    PUBLIC = "public"
    FLEET_ONLY = "fleet_only"
    SHARED_HOURS = "shared_hours"


class Hub(IdMixin, TimestampMixin, Base):
    """A mobility hub: a place with parking for shared vehicles and often chargers."""

    __tablename__ = "hubs"

    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(100), default="")
    street: Mapped[str] = mapped_column(String(200), default="")
    postcode: Mapped[str] = mapped_column(String(20), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2), default="FR")
    latitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal] = mapped_column(Numeric(9, 6))
    timezone: Mapped[str] = mapped_column(String(50), default="Europe/Paris")
    # {"mon": [["06:00", "22:00"]], ...}; None means open around the clock.
    opening_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where vehicles may be left when returned here: a GeoJSON Polygon or MultiPolygon
    # (lon/lat, WGS 84); None means at the hub's point. Published in the GBFS feeds.
    return_zone: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    vehicles: Mapped[list[Vehicle]] = relationship(back_populates="hub")


def new_public_id() -> str:
    """A random public vehicle id (GBFS: rotated after every trip so trips cannot be traced)."""
    return str(uuid.uuid4())


def estimated_range_km(max_range_km: int, soc_percent: int) -> int:
    """Remaining range: full range scaled by the state of charge, rounded down."""
    return max_range_km * soc_percent // 100


class Vehicle(IdMixin, TimestampMixin, Base):
    """A shared e-bike or e-car."""

    __tablename__ = "vehicles"
    __table_args__ = (
        CheckConstraint("soc_percent >= 0 AND soc_percent <= 100", name="soc_range"),
        one_of("kind", VehicleKind),
        one_of("state", VehicleState),
        one_of("visibility", VehicleVisibility),
    )

    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    model: Mapped[str] = mapped_column(String(100), default="")
    plate: Mapped[str | None] = mapped_column(String(20))
    seats: Mapped[int] = mapped_column(Integer, default=1)
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("hubs.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(20), default=VehicleState.AVAILABLE)
    battery_kwh: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal("0.5"))
    max_range_km: Mapped[int] = mapped_column(Integer, default=60)
    soc_percent: Mapped[int] = mapped_column(Integer, default=100)
    odometer_km: Mapped[Decimal] = mapped_column(Numeric(10, 1), default=Decimal("0"))
    locked: Mapped[bool] = mapped_column(Boolean, default=True)
    owner_company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL")
    )
    visibility: Mapped[str] = mapped_column(String(20), default=VehicleVisibility.PUBLIC)
    # Hours when a company vehicle is open to the public, same shape as Hub.opening_hours.
    public_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    tariff_id: Mapped[int | None] = mapped_column(ForeignKey("tariffs.id", ondelete="SET NULL"))
    # Smart charging: the e-car's home bay (operator-set; a session started with the car's own
    # card also tells where it is plugged) and the most the car's charger can take.
    home_connector_id: Mapped[int | None] = mapped_column(
        ForeignKey("connectors.id", ondelete="SET NULL")
    )
    max_charge_kw: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    # The id open data shows; a new random one after every trip (see new_public_id).
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)

    hub: Mapped[Hub | None] = relationship(back_populates="vehicles")

    @property
    def range_km(self) -> int:
        """Estimated remaining range from the state of charge."""
        return estimated_range_km(self.max_range_km, self.soc_percent)
