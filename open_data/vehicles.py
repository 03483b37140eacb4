"""The vehicle feeds: vehicle_types, vehicle_status and (3.1) vehicle_availability. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mobility.hours import next_change
from open_data import i18n
from open_data.model import Snapshot, VehicleRow
from open_data.rules import Listing, Shown, free_windows, rfc3339, shown, vehicle_type_id
from open_data.system import FeedConfig

FORM = {"ebike": ("bicycle", "electric_assist"), "ecar": ("car", "electric")}


def _typed(v: VehicleRow) -> bool:
    """Vehicles that may ever appear (types of fleet-only or retired ones stay private)."""
    return v.visibility != "fleet_only" and v.state != "retired"


def vehicle_types(cfg: FeedConfig, snap: Snapshot) -> dict[str, Any]:
    """One type per kind and model, with its longest range and its pricing plans."""
    groups: dict[str, list[VehicleRow]] = {}
    for v in snap.vehicles:
        if _typed(v):
            groups.setdefault(vehicle_type_id(v.kind, v.model), []).append(v)
    public_plans = {t.id: t for t in snap.tariffs}
    types = []
    for type_id, members in sorted(groups.items()):
        first = members[0]
        form, propulsion = FORM[first.kind]
        plans = [t.code for t in snap.tariffs if t.scope == first.kind]
        own = {public_plans[v.tariff_id].code for v in members if v.tariff_id in public_plans}
        item: dict[str, Any] = {
            "vehicle_type_id": type_id,
            "form_factor": form,
            "propulsion_type": propulsion,
            "max_range_meters": max(v.max_range_km for v in members) * 1000,
            "rider_capacity": max(v.seats for v in members),
            "name": (
                i18n.same(first.model, cfg.languages)
                if first.model
                else i18n.localized(first.kind, cfg.languages)
            ),
            "description": i18n.localized(first.kind, cfg.languages),
            "return_constraint": "any_station",
        }
        if plans:
            item["default_pricing_plan_id"] = plans[0]
        if plans or own:
            item["pricing_plan_ids"] = plans + sorted(own - set(plans))
        types.append(item)
    return {"vehicle_types": types}


def published(cfg: FeedConfig, snap: Snapshot, now: datetime) -> Iterator[tuple[VehicleRow, Shown]]:
    """Every vehicle shown now and how (hubs closed for good hide their vehicles)."""
    active = {h.id for h in snap.hubs if h.is_active}
    for v in snap.vehicles:
        s = shown(
            v,
            v.hub_id in active,
            snap.holds_by_vehicle.get(v.id, []),
            now,
            cfg.tz,
            cfg.turnaround,
        )
        if s is not None:
            yield v, s


def vehicle_status(cfg: FeedConfig, snap: Snapshot, now: datetime) -> dict[str, Any]:
    """Vehicles at hubs: available, reserved or disabled, under their current public id."""
    plan_codes = {t.id: t.code for t in snap.tariffs}
    out = []
    for v, s in published(cfg, snap, now):
        item: dict[str, Any] = {
            "vehicle_id": v.public_id,
            "station_id": str(v.hub_id),
            "vehicle_type_id": vehicle_type_id(v.kind, v.model),
            "is_reserved": s.listing is Listing.RESERVED,
            "is_disabled": s.listing is Listing.DISABLED,
            "current_range_meters": v.max_range_km * v.soc_percent // 100 * 1000,
            "current_fuel_percent": v.soc_percent / 100,
        }
        if v.tariff_id in plan_codes:
            item["pricing_plan_id"] = plan_codes[v.tariff_id]
        if s.available_until is not None:
            item["available_until"] = rfc3339(s.available_until, cfg.tz)
        out.append(item)
    # Never in database order: that would tell a vehicle apart across its id rotations.
    out.sort(key=lambda x: (x["station_id"], x["vehicle_type_id"], x["vehicle_id"]))
    return {"vehicles": out}


def vehicle_availability(cfg: FeedConfig, snap: Snapshot, now: datetime) -> dict[str, Any]:
    """When each public vehicle at a hub can be booked ahead (3.1), from the bookings."""
    out = []
    for v, s in published(cfg, snap, now):
        if s.listing is Listing.DISABLED:
            continue
        holds = snap.holds_by_vehicle.get(v.id, [])
        windows = free_windows(v, holds, now, cfg.horizon, cfg.tz, cfg.turnaround)
        out.append(
            {
                "vehicle_id": v.public_id,
                "vehicle_type_id": vehicle_type_id(v.kind, v.model),
                "station_id": str(v.hub_id),
                "availabilities": [_window(a, b, cfg) for a, b in windows],
            }
        )
    out.sort(key=lambda x: (x["station_id"], x["vehicle_type_id"], x["vehicle_id"]))
    return {"vehicles": out}


def _window(a: datetime, b: datetime | None, cfg: FeedConfig) -> dict[str, str]:
    item = {"from": rfc3339(a, cfg.tz)}
    if b is not None:
        item["until"] = rfc3339(b, cfg.tz)
    return item


def next_time_change(cfg: FeedConfig, snap: Snapshot, now: datetime) -> datetime | None:
    """The next instant at which the live feeds change by time alone, with no new data.

    A booking begins holding its vehicle a turnaround before its start and lets it go at its
    block end; company vehicles open and close to the public; hubs open and close.
    """
    times = [
        t for h in snap.holds for t in (h.start_at - cfg.turnaround, h.block_end_at) if t > now
    ]
    for v in snap.vehicles:
        if v.visibility == "shared_hours" and v.hub_id is not None:
            times.append(next_change(v.public_hours, now, cfg.tz) or now)
    for hub in snap.hubs:
        if hub.opening_hours is not None:
            times.append(next_change(hub.opening_hours, now, ZoneInfo(hub.timezone)) or now)
    later = [t for t in times if t > now]
    return min(later) if later else None
