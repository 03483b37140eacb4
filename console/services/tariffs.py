"""Tariffs for the console: list, edit validated with billing's rules, preview of a price."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from billing.pricing import PriceBreakdown, charging_periods, price_session, rental_periods
from billing.tariffs import TariffSpec, tariff_spec
from console.services.audit import Actor, record
from mobility.db import Database
from mobility.errors import NotFound, ValidationFailed
from mobility.models import Tariff, TariffScope


@dataclass(frozen=True)
class TariffEdit:
    """The editable terms of a tariff."""

    name: str
    elements: list[dict[str, Any]]
    min_price_excl_vat: Decimal | None
    max_price_excl_vat: Decimal | None
    min_price_incl_vat: Decimal | None
    max_price_incl_vat: Decimal | None
    daily_cap_excl_vat: Decimal | None
    default_vat_percent: Decimal
    valid_from: datetime | None
    valid_to: datetime | None
    is_active: bool


@dataclass(frozen=True)
class Example:
    """An example session to price: when, how long, how much energy or distance."""

    start: datetime
    minutes: int
    kwh: Decimal
    km: Decimal
    idle_minutes: int


def all_tariffs(db: Database) -> list[Tariff]:
    """Every tariff, grouped by scope."""
    with db.sessions() as s:
        return list(s.scalars(select(Tariff).order_by(Tariff.scope, Tariff.code)))


def get(db: Database, tariff_id: int) -> Tariff:
    """One tariff, or NotFound."""
    with db.sessions() as s:
        tariff = s.get(Tariff, tariff_id)
    if tariff is None:
        raise NotFound(f"No tariff {tariff_id}.")
    return tariff


def validated(tariff: Tariff, edit: TariffEdit) -> TariffSpec:
    """The edited tariff as billing would price it (ValidationFailed when it cannot)."""
    if not edit.name.strip():
        raise ValidationFailed("A tariff needs a name.", field="name")
    if edit.valid_from and edit.valid_to and edit.valid_to <= edit.valid_from:
        raise ValidationFailed("'Valid to' must be after 'valid from'.", field="valid_to")
    return tariff_spec(
        tariff.code,
        tariff.currency,
        edit.elements,
        min_price=edit.min_price_excl_vat,
        max_price=edit.max_price_excl_vat,
        daily_cap=edit.daily_cap_excl_vat,
        default_vat=edit.default_vat_percent,
        min_price_incl_vat=edit.min_price_incl_vat,
        max_price_incl_vat=edit.max_price_incl_vat,
    )


def preview(spec: TariffSpec, scope: str, example: Example, tz: ZoneInfo) -> PriceBreakdown:
    """The price of the example session under `spec`."""
    end = example.start + timedelta(minutes=example.minutes)
    if scope == TariffScope.CHARGING:
        stop = end + timedelta(minutes=example.idle_minutes)
        periods = charging_periods(example.start, stop, example.kwh * 1000, end)
    else:
        periods = rental_periods(example.start, end, example.km)
    return price_session(spec, periods, tz)


def save(db: Database, actor: Actor, tariff_id: int, edit: TariffEdit) -> None:
    """Store the edited terms (validated again inside the transaction) and audit the change."""
    with db.transaction() as s:
        tariff = s.get(Tariff, tariff_id)
        if tariff is None:
            raise NotFound(f"No tariff {tariff_id}.")
        validated(tariff, edit)
        changed: dict[str, Any] = {}
        for name, value in asdict(edit).items():
            if getattr(tariff, name) != value:
                setattr(tariff, name, value)
                changed[name] = (
                    value if isinstance(value, (list, bool)) or value is None else str(value)
                )
        if changed:
            record(s, actor, "tariff.update", "tariff", tariff.code, **changed)
