"""The hub feeds: station_information, station_status, geofencing_zones, system_alerts. Pure."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from mobility.hours import within_hours
from open_data import i18n
from open_data.model import HubRow, Snapshot
from open_data.rules import (
    Listing,
    coordinate,
    osm_opening_hours,
    return_zone,
    rfc3339,
    shown,
    vehicle_type_id,
)
from open_data.system import FeedConfig
from open_data.vehicles import vehicle_types

# Inside a hub's return area vehicles may be left anywhere; elsewhere only at a hub.
ZONE_RULE = {
    "ride_start_allowed": True,
    "ride_end_allowed": True,
    "ride_through_allowed": True,
    "station_parking": False,
}
GLOBAL_RULE = {
    "ride_start_allowed": True,
    "ride_end_allowed": True,
    "ride_through_allowed": True,
    "station_parking": True,
}


def _type_ids(cfg: FeedConfig, snap: Snapshot) -> list[str]:
    return [t["vehicle_type_id"] for t in vehicle_types(cfg, snap)["vehicle_types"]]


def station_information(cfg: FeedConfig, snap: Snapshot, version: str) -> dict[str, Any]:
    """Every hub as a virtual station (spaces, no smart docks), with its return area."""
    type_ids = _type_ids(cfg, snap)
    stations = []
    for hub in snap.hubs:
        item: dict[str, Any] = {
            "station_id": str(hub.id),
            "name": i18n.same(hub.name, cfg.languages),
            "lat": coordinate(hub.latitude),
            "lon": coordinate(hub.longitude),
            "address": hub.street,
            "post_code": hub.postcode,
            "station_opening_hours": osm_opening_hours(hub.opening_hours),
            "is_virtual_station": True,
            "capacity": hub.capacity,
            "is_charging_station": hub.has_charger,
        }
        if version != "3.0" and hub.city:
            item["city"] = hub.city
        if type_ids:
            # Spaces are shared by every vehicle type: one group with the hub's capacity.
            item["vehicle_types_capacity"] = [{"vehicle_type_ids": type_ids, "count": hub.capacity}]
        zone = return_zone(hub.return_zone)
        if zone is not None:
            item["station_area"] = {"type": "MultiPolygon", "coordinates": zone}
        stations.append({k: v for k, v in item.items() if v != ""})
    return {"stations": stations}


def _open(hub: HubRow, now: datetime) -> bool:
    return hub.is_active and within_hours(hub.opening_hours, now, ZoneInfo(hub.timezone))


def station_status(cfg: FeedConfig, snap: Snapshot, now: datetime) -> dict[str, Any]:
    """Per hub: vehicles available per type, disabled ones, free spaces, renting or not.

    A closed hub still counts the vehicles it would rent (GBFS), with is_renting false.
    """
    type_ids = _type_ids(cfg, snap)
    parked: Counter[int] = Counter()
    available: dict[int, Counter[str]] = {h.id: Counter() for h in snap.hubs}
    disabled: Counter[int] = Counter()
    for v in snap.vehicles:
        if v.hub_id is None or v.hub_id not in available:
            continue
        parked[v.hub_id] += 1
        holds = snap.holds_by_vehicle.get(v.id, [])
        s = shown(v, True, holds, now, cfg.tz, cfg.turnaround)
        if s is not None and s.listing is Listing.AVAILABLE:
            available[v.hub_id][vehicle_type_id(v.kind, v.model)] += 1
        elif s is not None and s.listing is Listing.DISABLED:
            disabled[v.hub_id] += 1
    stations = [
        {
            "station_id": str(hub.id),
            "num_vehicles_available": sum(available[hub.id].values()),
            "vehicle_types_available": [
                {"vehicle_type_id": t, "count": available[hub.id][t]} for t in type_ids
            ],
            "num_vehicles_disabled": disabled[hub.id],
            "num_docks_available": max(0, hub.capacity - parked[hub.id]),
            "is_installed": True,
            "is_renting": _open(hub, now),
            "is_returning": hub.is_active,
            "last_reported": rfc3339(now, cfg.tz),
        }
        for hub in snap.hubs
    ]
    return {"stations": stations}


def geofencing_zones(cfg: FeedConfig, snap: Snapshot) -> dict[str, Any]:
    """Hubs' return areas as zones; elsewhere vehicles are parked at hubs only."""
    features = []
    for hub in snap.hubs:
        zone = return_zone(hub.return_zone) if hub.is_active else None
        if zone is None:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "name": i18n.localized("return_zone", cfg.languages, hub=hub.name),
                    "rules": [ZONE_RULE],
                },
                "geometry": {"type": "MultiPolygon", "coordinates": zone},
            }
        )
    return {
        "geofencing_zones": {"type": "FeatureCollection", "features": features},
        "global_rules": [GLOBAL_RULE],
    }


def system_alerts(cfg: FeedConfig, snap: Snapshot) -> dict[str, Any]:
    """Closed hubs, and hubs where every public vehicle of a kind is being serviced."""
    alerts = []
    for hub in snap.hubs:
        if not hub.is_active:
            alerts.append(
                {
                    "alert_id": f"hub-{hub.id}-closed",
                    "type": "station_closure",
                    "station_ids": [str(hub.id)],
                    "summary": i18n.localized("hub_closed", cfg.languages, hub=hub.name),
                    "last_updated": rfc3339(hub.updated_at, cfg.tz),
                }
            )
    alerts.extend(_maintenance(cfg, snap))
    return {"alerts": alerts}


def _maintenance(cfg: FeedConfig, snap: Snapshot) -> list[dict[str, Any]]:
    states: dict[tuple[int, str], set[str]] = {}
    for v in snap.vehicles:
        if v.hub_id is not None and v.visibility == "public" and v.state != "retired":
            states.setdefault((v.hub_id, v.kind), set()).add(v.state)
    names = {h.id: h.name for h in snap.hubs if h.is_active}
    return [
        {
            "alert_id": f"hub-{hub_id}-{kind}-maintenance",
            "type": "other",
            "station_ids": [str(hub_id)],
            "summary": i18n.localized(f"maintenance_{kind}", cfg.languages, hub=names[hub_id]),
        }
        for (hub_id, kind), seen in sorted(states.items())
        if seen == {"maintenance"} and hub_id in names
    ]
