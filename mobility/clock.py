"""Time in one place: always timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Attach UTC to naive datetimes (SQLite drops tzinfo) and convert aware ones."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp ('Z' accepted) into aware UTC (ValueError when unusable).

    Years outside 1970-2200 (0001-01-01+14:00 cannot even be expressed in UTC) are refused.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    try:
        result = as_utc(parsed)
    except OverflowError:
        raise ValueError(f"{value!r} is out of range") from None
    if not EARLIEST_YEAR <= result.year <= LATEST_YEAR:
        raise ValueError(f"{value!r} is out of range")
    return result
