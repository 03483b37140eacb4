"""Pure fleet rules: VAT ids, limits, member scope, invitations, id tags."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from mobility.errors import N_, Message, ValidationFailed
from mobility.money import exponent, to_minor

_ID_TAG = re.compile(r"^[A-Z0-9\-]{4,20}$")


def normalise_vat_id(raw: str) -> str:
    """A valid EU VAT id in compact form (checksums checked by python-stdnum)."""
    try:
        return str(eu_vat.validate(raw))
    except StdnumError:
        raise ValidationFailed(
            N_("Enter a valid EU VAT id, e.g. FR40303265045."), field="vat_id"
        ) from None


def invitation_usable(
    expires_at: datetime, accepted_at: datetime | None, revoked_at: datetime | None, now: datetime
) -> Message | None:
    """Why an invitation can no longer be used, or None."""
    if revoked_at is not None:
        return N_("This invitation was withdrawn.")
    if accepted_at is not None:
        return N_("This invitation was used already.")
    if now >= expires_at:
        return N_("This invitation has expired; ask for a new one.")
    return None


def normalise_id_tag(raw: str) -> str:
    """RFID id tags: 4-20 upper-case letters, digits or dashes (OCPP 1.6 idToken <= 20)."""
    tag = raw.strip().upper()
    if not _ID_TAG.match(tag):
        raise ValidationFailed(N_("Card ids are 4-20 letters, digits or dashes."), field="id_tag")
    return tag


def parse_limit(raw: str, field: str, currency: str) -> int | None:
    """A monthly limit typed in major units ('250', '99.50'); empty means no limit."""
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed(
            N_("Enter the limit in %(currency)s, e.g. 250.", currency=currency), field=field
        ) from None
    digits = exponent(currency)
    if not amount.is_finite() or amount < 0 or amount != round(amount, digits):
        raise ValidationFailed(
            N_("Enter a limit of 0 or more with at most %(digits)s decimals.", digits=digits),
            field=field,
        )
    return to_minor(amount, currency)


_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def daily_hours(start: str, end: str) -> dict[str, list[list[str]]]:
    """The same hours every day, as opening hours {"mon": [["07:00", "19:00"]], ...}."""
    if not (_HHMM.match(start) and _HHMM.match(end)) or start >= end:
        raise ValidationFailed(
            N_("Public hours are HH:MM, from before until."), field="public_hours"
        )
    return {day: [[start, end]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


_TEXT_LIMITS = {"code": 40, "model": 100, "plate": 20}


def _bounded_int(raw: Any, field: str, low: int, high: int) -> int:
    if isinstance(raw, bool):
        raise ValidationFailed(f"{field} must be a whole number.", field=field)
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):
        raise ValidationFailed(f"{field} must be a whole number.", field=field) from None
    if not low <= value <= high:
        raise ValidationFailed(f"{field} must be between {low} and {high}.", field=field)
    return value


def vehicle_fields(data: dict[str, Any]) -> dict[str, Any]:
    """A company vehicle's fields, each checked (what is stored is what search can read)."""
    kind = data.get("kind")
    if kind not in ("ebike", "ecar"):
        raise ValidationFailed("kind must be ebike or ecar.", field="kind")
    text: dict[str, str | None] = {}
    for name, limit in _TEXT_LIMITS.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise ValidationFailed(f"{name} must be text.", field=name)
        value = (value or "").strip()
        if len(value) > limit:
            raise ValidationFailed(N_("Use at most %(limit)s characters.", limit=limit), field=name)
        text[name] = value
    if not text["code"]:
        raise ValidationFailed(N_("Enter the vehicle code."), field="code")
    try:
        battery = Decimal(str(data.get("battery_kwh", "50")))
    except InvalidOperation:
        battery = Decimal("NaN")
    if not battery.is_finite() or not Decimal("0.1") <= battery <= Decimal(300):
        raise ValidationFailed("battery_kwh must be between 0.1 and 300.", field="battery_kwh")
    return {
        "code": str(text["code"]).upper(),
        "kind": kind,
        "model": text["model"] or "",
        "plate": text["plate"] or None,
        "max_range_km": _bounded_int(data.get("max_range_km", 300), "max_range_km", 1, 2000),
        "battery_kwh": battery.quantize(Decimal("0.01")),
        "seats": _bounded_int(data.get("seats", 4 if kind == "ecar" else 1), "seats", 1, 9),
    }
