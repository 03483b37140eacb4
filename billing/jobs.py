"""Periodic jobs of the billing package."""

from __future__ import annotations

from mobility.jobs import JobSpec

JOBS: list[JobSpec] = []
