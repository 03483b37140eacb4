"""What booking's pages and API need at request time, installed by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from billing.facade import Billing
from booking.accounts import Accounts
from booking.reports import ProblemReports
from booking.services import BookingService
from mobility.config import Settings
from mobility.db import Database
from mobility.outbox import Outbox

EXTENSION = "booking"


@dataclass(frozen=True)
class BookingContext:
    """Collaborators of the booking and fleet edges, built once per process."""

    settings: Settings
    db: Database
    billing: Billing
    bookings: BookingService
    outbox: Outbox
    accounts: Accounts
    reports: ProblemReports


def ctx() -> BookingContext:
    """The booking context of the current app."""
    found: BookingContext = current_app.extensions[EXTENSION]
    return found
