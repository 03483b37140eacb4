"""The smart-charging job: plan the sites whose inputs changed and steer their chargers."""

from __future__ import annotations

from energy.service import SmartCharging

INTERVAL_SECONDS = 20  # debounces bursts of events: one plan per site per run at most


def plan_and_steer(service: SmartCharging) -> int:
    """One run over every enabled site; returns how many sites got a new plan."""
    return sum(1 for run in service.run() if run.plan_id is not None)
