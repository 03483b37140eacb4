"""A user's driving licence as the platform keeps it, the pure rule of an operator's check, and
the mail that tells a citizen why theirs was refused.

Shared by the booking site (citizens enter it, e-car bookings need it) and the operator
console (operators check it), which meet here and in the users table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mobility.clock import utcnow
from mobility.letters import letter_intent


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


# The letter telling a citizen why their licence was refused (booking writes it; the operator
# API and the console both send it).
REFUSAL_LETTER = "licence-refused"


def refusal_letter(
    user_id: int, email: str, locale: str, reason: str, base_url: str
) -> tuple[str, dict[str, Any]]:
    """The mail intent telling a citizen why their licence was refused: its key and payload."""
    key = f"mail:licence-rejected:{user_id}:{int(utcnow().timestamp())}"
    payload = letter_intent(
        email, REFUSAL_LETTER, locale, reason=reason, profile_url=f"{base_url}/profile"
    )
    return key, payload
