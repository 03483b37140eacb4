"""Pure booking decisions: slots, overlaps, buffers, cancellation fees, no-shows, charge levels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from mobility.errors import Conflict, ValidationFailed


@dataclass(frozen=True)
class BookingPolicy:
    """Operator-tunable booking parameters."""

    buffer: timedelta = timedelta(minutes=10)  # turnaround between two bookings of a vehicle
    min_duration: timedelta = timedelta(minutes=5)
    max_duration: timedelta = timedelta(days=7)
    max_advance: timedelta = timedelta(days=60)
    start_slack: timedelta = timedelta(minutes=2)  # "now" bookings may start a moment ago
    free_cancel_before: timedelta = timedelta(hours=1)
    late_cancel_fee_minor: int = 500  # incl. VAT, capped at the quote
    no_show_grace: timedelta = timedelta(minutes=15)


DEFAULT_POLICY = BookingPolicy()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")


def validate_slot(start: datetime, end: datetime, now: datetime, p: BookingPolicy) -> None:
    """A bookable time slot: ordered, not in the past, not too short, long or far ahead."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValidationFailed("Times must include a timezone offset.")
    if end <= start:
        raise ValidationFailed("The end must be after the start.", field="end")
    if start < now - p.start_slack:
        raise ValidationFailed("The start is in the past.", field="start")
    if end - start < p.min_duration:
        minutes = int(p.min_duration.total_seconds() // 60)
        raise ValidationFailed(f"Book at least {minutes} minutes.", field="end")
    if end - start > p.max_duration:
        raise ValidationFailed(f"Book at most {p.max_duration.days} days.", field="end")
    if start > now + p.max_advance:
        raise ValidationFailed(
            f"Bookings open {p.max_advance.days} days ahead at most.", field="start"
        )


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) intersect."""
    return a_start < b_end and b_start < a_end


def blocked_until(end: datetime, p: BookingPolicy) -> datetime:
    """A booking holds its vehicle until its end plus the turnaround buffer."""
    return end + p.buffer


def cancellation_fee(quote_minor: int, start: datetime, now: datetime, p: BookingPolicy) -> int:
    """Free before the cut-off; afterwards the fixed fee, never more than the quote."""
    if now <= start - p.free_cancel_before:
        return 0
    return min(p.late_cancel_fee_minor, quote_minor)


def no_show_due(start: datetime, now: datetime, p: BookingPolicy) -> bool:
    """A confirmed booking not started within the grace period releases its vehicle."""
    return now >= start + p.no_show_grace


def check_soc(soc_percent: int, min_soc: int | None) -> None:
    """An e-car booking may require a minimum state of charge at start."""
    if min_soc is not None and soc_percent < min_soc:
        raise Conflict(
            f"The vehicle is charged to {soc_percent}%, below the {min_soc}% you asked for.",
            code="insufficient_charge",
        )


def validate_email(email: str) -> str:
    """Normalised email or ValidationFailed."""
    value = email.strip().lower()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValidationFailed("Enter a valid email address.", field="email")
    return value


def validate_password(password: str, email: str = "") -> None:
    """At least 10 characters, not the email; length beats composition rules (NIST 800-63B)."""
    if len(password) < 10:
        raise ValidationFailed("Use at least 10 characters for the password.", field="password")
    if len(password) > 200:
        raise ValidationFailed("Use at most 200 characters for the password.", field="password")
    if email and password.lower() == email.lower():
        raise ValidationFailed("The password must not be your email.", field="password")


def validate_trip_end(
    start_odometer: float, end_odometer: float | None, distance_km: float | None, end_soc: int
) -> None:
    """End-of-trip readings must be plausible."""
    if not 0 <= end_soc <= 100:
        raise ValidationFailed("State of charge must be between 0 and 100.", field="end_soc")
    if distance_km is not None and not 0 <= distance_km <= 2000:
        raise ValidationFailed("Distance must be between 0 and 2000 km.", field="distance_km")
    if end_odometer is not None and end_odometer < start_odometer:
        raise ValidationFailed("The odometer cannot go backwards.", field="end_odometer")
