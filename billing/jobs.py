"""Periodic jobs of the billing package."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from billing.facade import Billing
from billing.fleet_invoices import previous_month, run_monthly, send_open_invoices
from mobility.clock import utcnow
from mobility.db import Database
from mobility.jobs import JobSpec


def fleet_monthly_invoices(db: Database, billing: Billing) -> list[str]:
    """Consolidate last month's company usage (idempotent: re-runs find the invoices)."""
    tz = ZoneInfo(billing.settings.timezone)
    year, month = previous_month(utcnow(), tz)
    numbers = run_monthly(db, year, month, tz)
    # Also retries invoices a previous run could not hand to the provider.
    send_open_invoices(db, billing.gateway)
    return numbers


def jobs(db: Database, billing: Billing) -> list[JobSpec]:
    """Billing's periodic jobs."""
    return [
        JobSpec(
            "billing.fleet_monthly_invoices",
            lambda: fleet_monthly_invoices(db, billing),
            "interval",
            {"hours": 6},
        )
    ]
