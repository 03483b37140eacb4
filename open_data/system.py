"""The system-wide feeds: gbfs.json, manifest, gbfs_versions, system_information. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from mobility.config import Settings
from mobility.errors import ConfigError
from open_data import i18n

# The versions served, oldest first; 3.1-RC3 adds vehicle_availability.
VERSIONS = ("3.0", "3.1-RC3")
# Feeds of every version, in gbfs.json order; the version's extras follow.
FEEDS = (
    "system_information",
    "vehicle_types",
    "station_information",
    "station_status",
    "vehicle_status",
    "system_pricing_plans",
    "system_alerts",
    "geofencing_zones",
)
EXTRA_FEEDS = {"3.0": (), "3.1-RC3": ("vehicle_availability",)}


@dataclass(frozen=True)
class FeedConfig:
    """What the feeds need from settings and the booking policy, checked once."""

    base_url: str
    system_id: str
    name: str
    feed_contact_email: str
    languages: tuple[str, ...]
    opening_hours: str
    license_id: str | None
    timezone: str
    ttl: int
    turnaround: timedelta
    horizon: timedelta

    @property
    def tz(self) -> ZoneInfo:
        """The system's time zone."""
        return ZoneInfo(self.timezone)

    def url(self, version: str, feed: str) -> str:
        """The absolute URL of a feed (GBFS wants fully qualified URLs)."""
        return f"{self.base_url}/gbfs/{version}/{feed}.json"


def feed_config(settings: Settings, turnaround: timedelta, horizon: timedelta) -> FeedConfig:
    """FeedConfig from settings (ConfigError when the feed contact or languages are unusable)."""
    contact = settings.gbfs_feed_contact_email or parseaddr(settings.mail_from)[1]
    if "@" not in contact:
        raise ConfigError("GBFS_FEED_CONTACT_EMAIL must be an email address")
    return FeedConfig(
        base_url=settings.base_url,
        system_id=settings.gbfs_system_id,
        name=settings.gbfs_name,
        feed_contact_email=contact,
        languages=i18n.languages(settings.gbfs_languages),
        opening_hours=settings.gbfs_opening_hours,
        license_id=settings.gbfs_license_id,
        timezone=settings.timezone,
        ttl=settings.gbfs_ttl,
        turnaround=turnaround,
        horizon=horizon,
    )


def feeds_of(version: str) -> tuple[str, ...]:
    """Every feed a version publishes besides gbfs.json, manifest and gbfs_versions."""
    return FEEDS + EXTRA_FEEDS[version]


def gbfs(cfg: FeedConfig, version: str) -> dict[str, Any]:
    """Auto-discovery: every feed of this version (never the manifest, as GBFS asks)."""
    names = ("gbfs_versions", *feeds_of(version))
    return {"feeds": [{"name": n, "url": cfg.url(version, n)} for n in names]}


def _versions(cfg: FeedConfig, upto: str) -> list[dict[str, str]]:
    known = VERSIONS[: VERSIONS.index(upto) + 1]
    return [{"version": v, "url": cfg.url(v, "gbfs")} for v in known]


def gbfs_versions(cfg: FeedConfig, version: str) -> dict[str, Any]:
    """The versions served (a 3.0 document cannot name later ones)."""
    return {"versions": _versions(cfg, version)}


def manifest(cfg: FeedConfig, version: str) -> dict[str, Any]:
    """The publisher's datasets: one system, in every version served."""
    return {"datasets": [{"system_id": cfg.system_id, "versions": _versions(cfg, version)}]}


def system_information(cfg: FeedConfig, version: str) -> dict[str, Any]:
    """Name, languages, hours, contact, time zone and licence of the system."""
    data: dict[str, Any] = {
        "system_id": cfg.system_id,
        "languages": list(cfg.languages),
        "name": i18n.same(cfg.name, cfg.languages),
        "opening_hours": cfg.opening_hours,
        "feed_contact_email": cfg.feed_contact_email,
        "timezone": cfg.timezone,
        "url": cfg.base_url + "/",
        "manifest_url": f"{cfg.base_url}/gbfs/manifest.json",
    }
    if cfg.license_id:
        data["license_id"] = cfg.license_id
    return data
