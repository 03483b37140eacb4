"""Periodic jobs of the billing package."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from billing.fleet_invoices import previous_month, run_monthly, send_open_invoices
from billing.gateway import gateway_for
from mobility.clock import utcnow
from mobility.jobs import JobContext, JobSpec


def fleet_monthly_invoices(ctx: JobContext) -> list[str]:
    """Consolidate last month's company usage (idempotent: re-runs find the invoices)."""
    tz = ZoneInfo(ctx.settings.timezone)
    year, month = previous_month(utcnow(), tz)
    numbers = run_monthly(ctx.db, year, month, tz)
    # Also retries invoices a previous run could not hand to the provider.
    send_open_invoices(ctx.db, gateway_for(ctx.settings))
    return numbers


JOBS: list[JobSpec] = [
    JobSpec(
        id="billing.fleet_monthly_invoices",
        func=fleet_monthly_invoices,
        trigger="interval",
        trigger_args={"hours": 6},
    ),
]
