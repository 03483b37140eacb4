"""Composition root for periodic jobs: collects each package's JOBS and runs them with APScheduler.

Exactly one scheduler runs per deployment (the all-in-one runner or `mobility scheduler`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from apscheduler.schedulers.background import BackgroundScheduler

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.db import Database
from mobility.jobs import JobContext, JobSpec

log = logging.getLogger(__name__)


def all_jobs() -> list[JobSpec]:
    """Every periodic job of the platform."""
    import billing.jobs
    import booking.jobs
    import ocpp_server.jobs

    return [*ocpp_server.jobs.JOBS, *booking.jobs.JOBS, *billing.jobs.JOBS]


def _guarded(spec: JobSpec, ctx: JobContext) -> None:
    # A failing job must not kill the scheduler; the next run retries (jobs are idempotent).
    try:
        spec.func(ctx)
    except Exception:
        log.exception("job %s failed", spec.id)


def build_scheduler(
    settings: Settings, db: Database, bus: CommandBus, jobs: Iterable[JobSpec] | None = None
) -> BackgroundScheduler:
    """A background scheduler with every job registered (not started)."""
    ctx = JobContext(settings=settings, db=db, bus=bus)
    scheduler = BackgroundScheduler(timezone="UTC")
    for spec in all_jobs() if jobs is None else jobs:
        scheduler.add_job(
            _guarded,
            spec.trigger,
            args=(spec, ctx),
            id=spec.id,
            name=spec.id,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            **spec.trigger_args,
        )
    return scheduler


def run_all_once(settings: Settings, db: Database, bus: CommandBus) -> list[str]:
    """Run every job once, in order (CLI `mobility jobs run-once`, tests)."""
    ctx = JobContext(settings=settings, db=db, bus=bus)
    ran = []
    for spec in all_jobs():
        spec.func(ctx)
        ran.append(spec.id)
    return ran
