"""Pure decisions of the feeds: who is shown, how, and GBFS value formats."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from mobility.hours import DAYS, day_windows, open_intervals, within_hours
from open_data.model import Hold, VehicleRow

# GBFS asks for 6 decimal places (0.11 m); our columns hold exactly that many.
COORD_DIGITS = 6
_OSM_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")


def rfc3339(when: datetime, tz: ZoneInfo) -> str:
    """A timestamp in the system's local time with its offset, whole seconds (GBFS pattern)."""
    return when.astimezone(tz).replace(microsecond=0).isoformat()


def coordinate(value: Decimal | float) -> float:
    """A latitude or longitude as a JSON number with at most 6 decimals."""
    return round(float(value), COORD_DIGITS)


@cache
def vehicle_type_id(kind: str, model: str) -> str:
    """A stable GBFS id for a kind and model ("ecar-renault-zoe-e-tech")."""
    slug = re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")
    return f"{kind}-{slug}" if slug else kind


class Listing(StrEnum):
    """How a vehicle appears in vehicle_status."""

    AVAILABLE = "available"
    RESERVED = "reserved"
    DISABLED = "disabled"


@dataclass(frozen=True)
class Shown:
    """A vehicle as published: how it is listed and until when it can be rented."""

    listing: Listing
    available_until: datetime | None


def current_hold(holds: list[Hold], now: datetime, turnaround: timedelta) -> Hold | None:
    """The booking holding the vehicle now: begun, or beginning within the turnaround (nobody
    could book the vehicle now and return it a turnaround before that booking starts)."""
    return next((h for h in holds if h.start_at <= now + turnaround and h.block_end_at > now), None)


def next_hold(holds: list[Hold], now: datetime, turnaround: timedelta) -> Hold | None:
    """The first booking that starts later than the turnaround from now."""
    return next((h for h in holds if h.start_at > now + turnaround), None)


def shown(
    v: VehicleRow,
    hub_active: bool,
    holds: list[Hold],
    now: datetime,
    tz: ZoneInfo,
    turnaround: timedelta,
) -> Shown | None:
    """Whether and how a vehicle is published now (None: not at all).

    Never shown: vehicles on a trip or away from an open hub, offline or retired ones, and
    company vehicles that are not open to the public right now (fleet-only, or shared hours
    outside their hours). A vehicle held by a booking now is reserved, one in maintenance
    at a hub disabled.
    """
    if v.hub_id is None or not hub_active:
        return None
    if v.state == "maintenance":
        return Shown(Listing.DISABLED, None) if _public_now(v, now, tz) else None
    if v.state != "available" or not _public_now(v, now, tz):
        return None
    if current_hold(holds, now, turnaround) is not None:
        return Shown(Listing.RESERVED, None)
    return Shown(Listing.AVAILABLE, _available_until(v, holds, now, tz, turnaround))


def _public_now(v: VehicleRow, now: datetime, tz: ZoneInfo) -> bool:
    if v.visibility == "fleet_only":
        return False
    return v.visibility != "shared_hours" or within_hours(v.public_hours, now, tz)


def _available_until(
    v: VehicleRow, holds: list[Hold], now: datetime, tz: ZoneInfo, turnaround: timedelta
) -> datetime | None:
    """Until when a rental must end: before the next booking (and its turnaround) or the end
    of the company's public hours."""
    ends = []
    upcoming = next_hold(holds, now, turnaround)
    if upcoming is not None:
        ends.append(upcoming.start_at - turnaround)
    if v.visibility == "shared_hours":
        window = open_intervals(v.public_hours, now, now + timedelta(days=8), tz)
        if window and window[0][1] < now + timedelta(days=8):
            ends.append(window[0][1])
    return min(ends) if ends else None


def free_windows(
    v: VehicleRow,
    holds: list[Hold],
    now: datetime,
    horizon: timedelta,
    tz: ZoneInfo,
    turnaround: timedelta,
) -> list[tuple[datetime, datetime | None]]:
    """When the vehicle can be booked from now on (None: open-ended), for vehicle_availability.

    A booking's slot plus its turnaround on both sides is taken (a new booking must end a
    turnaround before the next one starts); shared-hours vehicles only within their hours.
    """
    end = now + horizon
    if v.visibility == "shared_hours":
        free = open_intervals(v.public_hours, now, end, tz)
    else:
        free = [(now, end)]
    for h in holds:
        free = _cut(free, h.start_at - turnaround, h.block_end_at)
    return [(a, None if b == end and v.visibility != "shared_hours" else b) for a, b in free]


def _cut(
    free: list[tuple[datetime, datetime]], start: datetime, stop: datetime
) -> list[tuple[datetime, datetime]]:
    out = []
    for a, b in free:
        if stop <= a or b <= start:
            out.append((a, b))
            continue
        if a < start:
            out.append((a, start))
        if stop < b:
            out.append((stop, b))
    return out


def osm_opening_hours(hours: dict[str, Any] | None) -> str:
    """Our opening hours in the OSM opening_hours syntax GBFS 3.0 uses ("Mo-Fr 07:00-19:00")."""
    if hours is None:
        return "24/7"
    texts = [",".join(f"{a:%H:%M}-{_hhmm_end(b)}" for a, b in day_windows(hours, d)) for d in DAYS]
    rules: list[str] = []
    i = 0
    while i < len(DAYS):
        j = i
        while j + 1 < len(DAYS) and texts[j + 1] == texts[i]:
            j += 1
        if texts[i]:
            days = _OSM_DAYS[i] if i == j else f"{_OSM_DAYS[i]}-{_OSM_DAYS[j]}"
            rules.append(f"{days} {texts[i]}")
        i = j + 1
    return "; ".join(rules) if rules else "off"


def _hhmm_end(t: Any) -> str:
    return "24:00" if t.hour == 23 and t.minute == 59 and t.second == 59 else f"{t:%H:%M}"


def return_zone(raw: dict[str, Any] | None) -> list[list[list[list[float]]]] | None:
    """A hub's GeoJSON Polygon or MultiPolygon as MultiPolygon coordinates (None if unusable)."""
    if not isinstance(raw, dict):
        return None
    kind, coords = raw.get("type"), raw.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list) or not polygons:
        return None
    out = []
    for polygon in polygons:
        rings = [_ring(r) for r in polygon] if isinstance(polygon, list) and polygon else [None]
        if any(r is None for r in rings):
            return None
        out.append([r for r in rings if r is not None])
    return out


def _ring(raw: Any) -> list[list[float]] | None:
    """A closed linear ring of [lon, lat] positions (closed here when the last is missing)."""
    if not isinstance(raw, list):
        return None
    points = []
    for p in raw:
        ok = isinstance(p, list | tuple) and len(p) >= 2
        lon, lat = (p[0], p[1]) if ok else (None, None)
        if not all(isinstance(x, int | float) and math.isfinite(x) for x in (lon, lat)):
            return None
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):  # type: ignore[operator]
            return None
        points.append([coordinate(lon), coordinate(lat)])  # type: ignore[arg-type]
    if points and points[0] != points[-1]:
        points.append(points[0])
    return points if len(points) >= 4 else None
