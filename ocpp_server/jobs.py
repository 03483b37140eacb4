"""Periodic jobs of the OCPP server: liveness and billing of finished sessions."""

from __future__ import annotations

import logging

from mobility.jobs import JobContext, JobSpec
from ocpp_server import services

log = logging.getLogger(__name__)


def mark_offline_chargers(ctx: JobContext) -> list[str]:
    """Chargers silent for longer than heartbeat interval + grace become offline."""
    stale = services.mark_offline(ctx.db, ctx.settings.offline_grace)
    if stale:
        log.info("marked offline: %s", ", ".join(stale))
    return stale


def bill_unbilled_sessions(ctx: JobContext) -> int:
    """Retry billing of completed sessions that could not be billed at stop time."""
    return services.settle_unbilled(ctx.db, ctx.settings)


JOBS: list[JobSpec] = [
    JobSpec(id="ocpp.mark_offline", func=mark_offline_chargers, trigger_args={"seconds": 60}),
    JobSpec(id="ocpp.bill_unbilled", func=bill_unbilled_sessions, trigger_args={"minutes": 5}),
]
