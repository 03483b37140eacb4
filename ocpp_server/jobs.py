"""Periodic jobs of the ocpp_server package."""

from __future__ import annotations

from mobility.jobs import JobSpec

JOBS: list[JobSpec] = []
