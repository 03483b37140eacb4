"""What the map shows, decided without I/O: free connectors, vehicles per kind, distances. Pure."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

# Mean Earth radius (IUGG), metres: haversine distances are good to ~0.5 % at city scale.
EARTH_RADIUS_M = 6_371_008.8
# OCPP 1.6 and 2.0.1 connector statuses that mean "someone is using it" (not broken, not free).
_BUSY = frozenset(
    {"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing", "Occupied", "Reserved"}
)
_BROKEN = frozenset({"Faulted", "Unavailable"})

T = TypeVar("T")


class ConnectorState(StrEnum):
    """A connector as a driver looking for a place to charge sees it."""

    FREE = "free"
    BUSY = "busy"
    OUT_OF_ORDER = "out_of_order"
    OFFLINE = "offline"


@dataclass(frozen=True)
class ConnectorSpot:
    """One connector of a public charger, as last reported."""

    connector_id: int
    status: str
    availability: str
    standard: str
    max_power_w: int | None


@dataclass(frozen=True)
class ChargerSpot:
    """A public charger at a hub, with its connectors (connector 0 left out)."""

    charge_point_id: str
    name: str
    hub_id: int
    online: bool
    connectors: tuple[ConnectorSpot, ...]

    @property
    def free(self) -> int:
        """Connectors free to plug in now."""
        return sum(connector_state(self.online, c) is ConnectorState.FREE for c in self.connectors)


@dataclass(frozen=True)
class HubSpot:
    """An active hub: where it is and what it is called."""

    id: int
    name: str
    address: str
    latitude: Decimal
    longitude: Decimal


@dataclass(frozen=True)
class VehicleSpot:
    """A vehicle bookable now, as its hub's popup lists it."""

    id: int
    code: str
    kind: str
    model: str
    soc_percent: int
    range_km: int
    hub_id: int


@dataclass(frozen=True)
class Place:
    """A hub on the map: vehicles bookable now per kind, its public chargers, how far it is."""

    hub: HubSpot
    available: dict[str, int]
    vehicles: tuple[VehicleSpot, ...]
    chargers: tuple[ChargerSpot, ...]
    distance_m: float | None = None

    @property
    def free_connectors(self) -> int:
        """Connectors free now over the hub's chargers."""
        return sum(c.free for c in self.chargers)

    @property
    def connectors(self) -> int:
        """Connectors over the hub's chargers."""
        return sum(len(c.connectors) for c in self.chargers)


def places(
    hubs: Sequence[HubSpot],
    vehicles: Iterable[VehicleSpot],
    chargers: Iterable[ChargerSpot],
    origin: tuple[float, float] | None = None,
    per_hub: int = 20,
) -> list[Place]:
    """Each hub with what is free there (at most `per_hub` vehicles listed), nearest first
    when the visitor's position is known, else in the given order."""
    listed: dict[int, list[VehicleSpot]] = {}
    for v in vehicles:
        listed.setdefault(v.hub_id, []).append(v)
    counts = kinds_by_hub((v.hub_id, v.kind) for vs in listed.values() for v in vs)
    at: dict[int, list[ChargerSpot]] = {}
    for c in chargers:
        at.setdefault(c.hub_id, []).append(c)
    ordered: list[tuple[float | None, HubSpot]] = (
        [(d, h) for d, h in nearest(hubs, origin, _where)]
        if origin is not None
        else [(None, h) for h in hubs]
    )
    return [
        Place(
            hub=h,
            available=dict(sorted(counts.get(h.id, Counter()).items())),
            vehicles=tuple(listed.get(h.id, [])[:per_hub]),
            chargers=tuple(at.get(h.id, [])),
            distance_m=d,
        )
        for d, h in ordered
    ]


def by_distance(found: Sequence[Place], origin: tuple[float, float]) -> list[Place]:
    """The same places nearest first, each with its distance from `origin`."""
    return [replace(p, distance_m=d) for d, p in nearest(found, origin, lambda p: _where(p.hub))]


def _where(h: HubSpot) -> tuple[float, float]:
    return float(h.latitude), float(h.longitude)


def connector_state(online: bool, c: ConnectorSpot) -> ConnectorState:
    """Free, busy, out of order, or unknown because the charger is offline."""
    if not online:
        return ConnectorState.OFFLINE
    if c.availability != "Operative" or c.status in _BROKEN:
        return ConnectorState.OUT_OF_ORDER
    if c.status == "Available":
        return ConnectorState.FREE
    return ConnectorState.BUSY if c.status in _BUSY else ConnectorState.OUT_OF_ORDER


def kinds_by_hub(vehicles: Iterable[tuple[int, str]]) -> dict[int, Counter[str]]:
    """Bookable vehicles counted per hub and kind, from (hub id, kind) pairs."""
    counts: dict[int, Counter[str]] = {}
    for hub_id, kind in vehicles:
        counts.setdefault(hub_id, Counter())[kind] += 1
    return counts


def parse_origin(lat: str | None, lon: str | None) -> tuple[float, float] | None:
    """The visitor's position from query arguments; None when absent or not on Earth."""
    try:
        point = (float(lat or ""), float(lon or ""))
    except ValueError:
        return None
    if not all(math.isfinite(x) for x in point):
        return None
    return point if -90 <= point[0] <= 90 and -180 <= point[1] <= 180 else None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in metres between two (lat, lon) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def nearest(
    items: Sequence[T], origin: tuple[float, float], where: Callable[[T], tuple[float, float]]
) -> list[tuple[float, T]]:
    """Items with their distance from `origin`, nearest first (ties keep the given order)."""
    return sorted(((distance_m(origin, where(i)), i) for i in items), key=lambda p: p[0])


def etag(body: bytes) -> str:
    """A strong validator for a response body."""
    return hashlib.sha256(body).hexdigest()[:32]
