"""Runs the periodic jobs the composition root collected, with APScheduler.

Exactly one scheduler runs per deployment (the all-in-one runner or `mobility scheduler`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from apscheduler.schedulers.background import BackgroundScheduler

from mobility.jobs import JobSpec

log = logging.getLogger(__name__)


def _guarded(spec: JobSpec) -> None:
    # A failing job must not kill the scheduler; the next run retries (jobs are idempotent).
    try:
        spec.func()
    except Exception:
        log.exception("job %s failed", spec.id)


def build_scheduler(jobs: Iterable[JobSpec]) -> BackgroundScheduler:
    """A background scheduler with these jobs registered (not started)."""
    scheduler = BackgroundScheduler(timezone="UTC")
    for spec in jobs:
        scheduler.add_job(
            _guarded,
            spec.trigger,
            args=(spec,),
            id=spec.id,
            name=spec.id,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            **spec.trigger_args,
        )
    return scheduler


def run_all_once(jobs: Iterable[JobSpec]) -> list[str]:
    """Run every job once, in order (CLI `mobility jobs run-once`, tests)."""
    ran = []
    for spec in jobs:
        spec.func()
        ran.append(spec.id)
    return ran
