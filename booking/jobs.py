"""Periodic jobs of the booking package."""

from __future__ import annotations

from booking.services import BookingService
from mobility.jobs import JobSpec


def jobs(bookings: BookingService) -> list[JobSpec]:
    """Booking's periodic jobs."""
    # Confirmed bookings not started within the grace period free their vehicle.
    return [
        JobSpec("booking.release_no_shows", bookings.release_no_shows, "interval", {"minutes": 1})
    ]
