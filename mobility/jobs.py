"""Job specification shared by packages; the composition root collects them for the scheduler."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class JobSpec:
    """A periodic job: thin, id-driven and safe to run twice; its collaborators are bound in."""

    id: str
    func: Callable[[], Any]
    # APScheduler trigger and its arguments, e.g. ("interval", {"seconds": 60}).
    trigger: str = "interval"
    trigger_args: dict[str, Any] = field(default_factory=lambda: {"seconds": 60})
