"""A user's driving licence as the platform keeps it, and the pure rule of an operator's check.

Shared by the booking site (citizens enter it, e-car bookings need it) and the operator
console (operators check it), which meet here and in the users table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Licence:
    """What a user entered and whether an operator checked it."""

    number: str | None
    expires_on: date | None
    verified_at: datetime | None


def check_problem(licence: Licence, today: date) -> str | None:
    """Why an operator cannot mark this licence checked, or None."""
    if licence.number is None or licence.expires_on is None:
        return "There is no licence to check."
    if licence.expires_on < today:
        return "This licence has expired."
    return None
