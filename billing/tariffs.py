"""Tariffs as data, shaped like OCPI 2.2.1 (elements of price components + restrictions). Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from mobility.errors import ValidationFailed


class Dimension(StrEnum):
    """What a price component charges for (OCPI TariffDimensionType + DISTANCE for rentals)."""

    FLAT = "FLAT"  # per session
    TIME = "TIME"  # per hour of use (charging, riding); step in seconds
    PARKING_TIME = "PARKING_TIME"  # per hour parked without charging; step in seconds
    ENERGY = "ENERGY"  # per kWh; step in Wh
    DISTANCE = "DISTANCE"  # per km (vehicle rentals, not in OCPI); step in metres


class Reservation(StrEnum):
    """OCPI ReservationRestrictionType: the element prices reservation time, not charging."""

    RESERVATION = "RESERVATION"  # a reservation followed by a charging session
    RESERVATION_EXPIRES = "RESERVATION_EXPIRES"  # a reservation that expired unused


DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


@dataclass(frozen=True)
class PriceComponent:
    """Price per unit of one dimension, its VAT percentage and billing step (0 only for FLAT)."""

    dimension: Dimension
    price: Decimal
    vat: Decimal
    step_size: int


@dataclass(frozen=True)
class Restrictions:
    """When an element applies (OCPI TariffRestrictions); None means no restriction."""

    start_time: time | None = None
    end_time: time | None = None
    start_date: date | None = None
    end_date: date | None = None
    min_kwh: Decimal | None = None
    max_kwh: Decimal | None = None
    min_power: Decimal | None = None
    max_power: Decimal | None = None
    min_duration: int | None = None
    max_duration: int | None = None
    day_of_week: frozenset[int] | None = None  # 0 = Monday
    min_current: Decimal | None = None  # A, summed over phases
    max_current: Decimal | None = None
    reservation: Reservation | None = None


@dataclass(frozen=True)
class Element:
    """A group of price components valid under the same restrictions."""

    components: tuple[PriceComponent, ...]
    restrictions: Restrictions


@dataclass(frozen=True)
class TariffSpec:
    """A validated tariff, ready for the pricing engine."""

    code: str
    currency: str
    elements: tuple[Element, ...]
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    daily_cap: Decimal | None = None
    default_vat: Decimal = Decimal("20")
    min_price_incl_vat: Decimal | None = None
    max_price_incl_vat: Decimal | None = None


def _dec(value: Any, field: str) -> Decimal:
    """A finite Decimal from JSON (floats via their written digits)."""
    if isinstance(value, float):
        # JSON numbers may arrive as floats; go through str to keep their written digits.
        value = repr(value)
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{field} must be a decimal number, got {value!r}") from None
    if not result.is_finite():
        raise ValidationFailed(f"{field} must be finite")
    return result


def _time(value: str, field: str) -> time:
    """HH:MM."""
    try:
        hh, mm = value.split(":")
        return time(int(hh), int(mm))
    except ValueError:
        raise ValidationFailed(f"{field} must be HH:MM, got {value!r}") from None


def _date(value: str, field: str) -> date:
    """YYYY-MM-DD."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{field} must be YYYY-MM-DD, got {value!r}") from None


def _restrictions(raw: Mapping[str, Any] | None) -> Restrictions:
    """OCPI TariffRestrictions, validated."""
    if not raw:
        return Restrictions()
    days = raw.get("day_of_week")
    if days is not None:
        unknown = [d for d in days if d not in DAYS]
        if unknown:
            raise ValidationFailed(f"unknown day_of_week {unknown}")
    opt_dec = {
        k: _dec(raw[k], k) if raw.get(k) is not None else None
        for k in ("min_kwh", "max_kwh", "min_power", "max_power", "min_current", "max_current")
    }
    try:
        reservation = Reservation(raw["reservation"]) if raw.get("reservation") else None
    except ValueError:
        raise ValidationFailed(f"reservation must be one of {list(Reservation)}") from None
    return Restrictions(
        start_time=_time(raw["start_time"], "start_time") if raw.get("start_time") else None,
        end_time=_time(raw["end_time"], "end_time") if raw.get("end_time") else None,
        start_date=_date(raw["start_date"], "start_date") if raw.get("start_date") else None,
        end_date=_date(raw["end_date"], "end_date") if raw.get("end_date") else None,
        min_duration=int(raw["min_duration"]) if raw.get("min_duration") is not None else None,
        max_duration=int(raw["max_duration"]) if raw.get("max_duration") is not None else None,
        day_of_week=frozenset(DAYS.index(d) for d in days) if days else None,
        reservation=reservation,
        **opt_dec,
    )


def _component(raw: Mapping[str, Any], default_vat: Decimal) -> PriceComponent:
    """OCPI PriceComponent, validated (no vat: the tariff's default)."""
    try:
        dimension = Dimension(raw["type"])
    except (KeyError, ValueError):
        raise ValidationFailed(f"price component type must be one of {list(Dimension)}") from None
    price = _dec(raw.get("price"), "price")
    if price < 0:
        raise ValidationFailed("price must not be negative")
    raw_step = raw.get("step_size")
    step = 1 if raw_step is None else int(raw_step)
    # FLAT has no unit to step in; OCPI's free-of-charge example gives it step_size 0.
    if step < (0 if dimension is Dimension.FLAT else 1):
        raise ValidationFailed("step_size must be at least 1")
    vat = _dec(raw["vat"], "vat") if raw.get("vat") is not None else default_vat
    if not Decimal(0) <= vat <= Decimal(100):
        raise ValidationFailed("vat must be a percentage between 0 and 100")
    return PriceComponent(dimension=dimension, price=price, vat=vat, step_size=step)


def parse_elements(raw: Sequence[Mapping[str, Any]], default_vat: Decimal) -> tuple[Element, ...]:
    """Validate OCPI-shaped tariff elements."""
    if not raw:
        raise ValidationFailed("a tariff needs at least one element")
    elements = []
    for item in raw:
        comps = item.get("price_components") or []
        if not comps:
            raise ValidationFailed("each tariff element needs price_components")
        elements.append(
            Element(
                components=tuple(_component(c, default_vat) for c in comps),
                restrictions=_restrictions(item.get("restrictions")),
            )
        )
    return tuple(elements)


def tariff_spec(
    code: str,
    currency: str,
    elements: Sequence[Mapping[str, Any]],
    *,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    daily_cap: Decimal | None = None,
    default_vat: Decimal = Decimal("20"),
    min_price_incl_vat: Decimal | None = None,
    max_price_incl_vat: Decimal | None = None,
) -> TariffSpec:
    """Build a validated TariffSpec from stored data (OCPI Price bounds: excl. and incl. VAT)."""
    for low, high in ((min_price, max_price), (min_price_incl_vat, max_price_incl_vat)):
        if low is not None and high is not None and low > high:
            raise ValidationFailed("min_price must not exceed max_price")
    for excl, incl in ((min_price, min_price_incl_vat), (max_price, max_price_incl_vat)):
        if excl is not None and incl is not None and incl < excl:
            raise ValidationFailed("a price incl. VAT must not be below its excl. VAT figure")
    return TariffSpec(
        code=code,
        currency=currency,
        elements=parse_elements(elements, default_vat),
        min_price=min_price,
        max_price=max_price,
        daily_cap=daily_cap,
        default_vat=default_vat,
        min_price_incl_vat=min_price_incl_vat,
        max_price_incl_vat=max_price_incl_vat,
    )


def _price_pair(raw: Mapping[str, Any] | None, field: str) -> tuple[Decimal | None, ...]:
    """OCPI Price as (excl_vat, incl_vat)."""
    if raw is None:
        return None, None
    return tuple(
        _dec(raw[k], f"{field}.{k}") if raw.get(k) is not None else None
        for k in ("excl_vat", "incl_vat")
    )


def ocpi_tariff_spec(raw: Mapping[str, Any], *, default_vat: Decimal = Decimal(0)) -> TariffSpec:
    """A TariffSpec from an OCPI 2.2.1 Tariff object (a component without vat has none)."""
    min_excl, min_incl = _price_pair(raw.get("min_price"), "min_price")
    max_excl, max_incl = _price_pair(raw.get("max_price"), "max_price")
    return tariff_spec(
        str(raw.get("id", "")),
        str(raw["currency"]),
        raw.get("elements") or [],
        min_price=min_excl,
        max_price=max_excl,
        min_price_incl_vat=min_incl,
        max_price_incl_vat=max_incl,
        default_vat=default_vat,
    )
