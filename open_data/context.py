"""What the open data endpoints need at request time, installed by the composition root."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from mobility.config import Settings
from mobility.db import Database
from open_data.cache import FeedCache
from open_data.snapshot import Reader
from open_data.system import FeedConfig, feed_config

EXTENSION = "open_data"


@dataclass(frozen=True)
class OpenDataContext:
    """The feed configuration and the process's one feed cache."""

    settings: Settings
    cfg: FeedConfig
    feeds: FeedCache


def build_context(
    settings: Settings, db: Database, turnaround: timedelta, horizon: timedelta
) -> OpenDataContext:
    """The context of one process: the booking policy's turnaround and advance horizon decide
    when a vehicle counts as reserved and how far ahead availability is published."""
    cfg = feed_config(settings, turnaround, horizon)
    return OpenDataContext(settings, cfg, FeedCache(cfg, Reader(db, horizon)))


def ctx() -> OpenDataContext:
    """The open data context of the current app."""
    found: OpenDataContext = current_app.extensions[EXTENSION]
    return found
