"""Periodic jobs of the OCPP server: liveness and billing of finished sessions."""

from __future__ import annotations

import logging

from mobility.jobs import JobSpec
from ocpp_server.services import ChargingService

log = logging.getLogger(__name__)


def mark_offline_chargers(charging: ChargingService) -> list[str]:
    """Chargers silent for longer than heartbeat interval + grace become offline."""
    stale = charging.mark_offline()
    if stale:
        log.info("marked offline: %s", ", ".join(stale))
    return stale


def jobs(charging: ChargingService) -> list[JobSpec]:
    """The OCPP server's periodic jobs."""
    return [
        JobSpec(
            "ocpp.mark_offline",
            lambda: mark_offline_chargers(charging),
            "interval",
            {"seconds": 60},
        ),
        JobSpec(
            "ocpp.expire_reservations", charging.expire_reservations, "interval", {"minutes": 1}
        ),
        # Retries billing of completed sessions that could not be billed at stop time.
        JobSpec("ocpp.bill_unbilled", charging.settle_unbilled, "interval", {"minutes": 5}),
    ]
