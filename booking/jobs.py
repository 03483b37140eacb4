"""Periodic jobs of the booking package."""

from __future__ import annotations

from mobility.jobs import JobSpec

JOBS: list[JobSpec] = []
