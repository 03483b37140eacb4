"""Periodic jobs of the booking package."""

from __future__ import annotations

from billing.facade import Billing
from booking.services import BookingService
from mobility.jobs import JobContext, JobSpec


def release_no_shows(ctx: JobContext) -> list[int]:
    """Confirmed bookings not started within the grace period free their vehicle."""
    return BookingService(ctx.db, Billing(ctx.settings)).release_no_shows()


JOBS: list[JobSpec] = [
    JobSpec(id="booking.release_no_shows", func=release_no_shows, trigger_args={"minutes": 1}),
]
