"""What the feeds are built from: plain rows read in one go from the database. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.tariffs import TariffSpec


@dataclass(frozen=True)
class HubRow:
    """A hub as a GBFS station."""

    id: int
    slug: str
    name: str
    street: str
    postcode: str
    city: str
    latitude: Decimal
    longitude: Decimal
    opening_hours: dict[str, Any] | None
    timezone: str
    capacity: int
    is_active: bool
    updated_at: datetime
    return_zone: dict[str, Any] | None
    has_charger: bool


@dataclass(frozen=True)
class VehicleRow:
    """A vehicle with what visibility and the feeds need (never its plate or code)."""

    id: int
    public_id: str
    kind: str
    model: str
    seats: int
    hub_id: int | None
    state: str
    visibility: str
    public_hours: dict[str, Any] | None
    max_range_km: int
    soc_percent: int
    tariff_id: int | None


@dataclass(frozen=True)
class Hold:
    """A booking holding a vehicle over [start_at, block_end_at) (confirmed or active)."""

    vehicle_id: int
    start_at: datetime
    block_end_at: datetime


@dataclass(frozen=True)
class PublicTariff:
    """A public rental tariff (no company's negotiated one) as a GBFS pricing plan source."""

    id: int
    code: str
    name: str
    scope: str
    spec: TariffSpec
    url: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """The state of the system as read at `read_at` (one read transaction)."""

    read_at: datetime
    hubs: tuple[HubRow, ...] = ()
    vehicles: tuple[VehicleRow, ...] = ()
    holds: tuple[Hold, ...] = ()
    tariffs: tuple[PublicTariff, ...] = ()
    holds_by_vehicle: dict[int, list[Hold]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for hold in sorted(self.holds, key=lambda h: h.start_at):
            self.holds_by_vehicle.setdefault(hold.vehicle_id, []).append(hold)
