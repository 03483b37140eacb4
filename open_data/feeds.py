"""Which builder makes each feed, and how it goes stale: never, with the data, or with time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from open_data import plans, stations, system, vehicles
from open_data.model import Snapshot
from open_data.system import FeedConfig


class Staleness(StrEnum):
    """What makes a feed's document out of date."""

    SETTINGS = "settings"  # built from settings only: valid for the life of the process
    DATA = "data"  # changes when the data read from the database changes
    LIVE = "live"  # changes with the data and with time (bookings begin, hours open)


Build = Callable[[FeedConfig, Snapshot, datetime, str], dict[str, Any]]


@dataclass(frozen=True)
class Feed:
    """A GBFS file: how it is built and how it goes stale."""

    build: Build
    staleness: Staleness


def _pricing(cfg: FeedConfig, snap: Snapshot, now: datetime, version: str) -> dict[str, Any]:
    return {"plans": [plans.pricing_plan(t, cfg.languages) for t in snap.tariffs]}


FEEDS: dict[str, Feed] = {
    "gbfs": Feed(lambda c, s, n, v: system.gbfs(c, v), Staleness.SETTINGS),
    "gbfs_versions": Feed(lambda c, s, n, v: system.gbfs_versions(c, v), Staleness.SETTINGS),
    "manifest": Feed(lambda c, s, n, v: system.manifest(c, v), Staleness.SETTINGS),
    "system_information": Feed(
        lambda c, s, n, v: system.system_information(c, v), Staleness.SETTINGS
    ),
    "vehicle_types": Feed(lambda c, s, n, v: vehicles.vehicle_types(c, s), Staleness.DATA),
    "station_information": Feed(
        lambda c, s, n, v: stations.station_information(c, s, v), Staleness.DATA
    ),
    "system_pricing_plans": Feed(_pricing, Staleness.DATA),
    "system_alerts": Feed(lambda c, s, n, v: stations.system_alerts(c, s), Staleness.DATA),
    "geofencing_zones": Feed(lambda c, s, n, v: stations.geofencing_zones(c, s), Staleness.DATA),
    "station_status": Feed(lambda c, s, n, v: stations.station_status(c, s, n), Staleness.LIVE),
    "vehicle_status": Feed(lambda c, s, n, v: vehicles.vehicle_status(c, s, n), Staleness.LIVE),
    "vehicle_availability": Feed(
        lambda c, s, n, v: vehicles.vehicle_availability(c, s, n), Staleness.LIVE
    ),
}


def served(version: str, name: str) -> bool:
    """Whether this version publishes this feed."""
    return version in system.VERSIONS and (
        name in ("gbfs", "gbfs_versions", "manifest") or name in system.feeds_of(version)
    )
