"""Job specification shared by packages; mobility.scheduler collects and runs them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database


@dataclass(frozen=True)
class JobContext:
    """What a job gets: the process's settings, database and bus."""

    settings: Settings
    db: Database
    bus: CommandBus


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: thin, id-driven and safe to run twice."""

    id: str
    func: Callable[[JobContext], Any]
    # APScheduler trigger and its arguments, e.g. ("interval", {"seconds": 60}).
    trigger: str = "interval"
    trigger_args: dict[str, Any] = field(default_factory=lambda: {"seconds": 60})
