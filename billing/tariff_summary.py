"""What a tariff charges, component by component, as a person reads a price list. Pure.

A TariffSpec prices TIME per hour and DISTANCE per km with steps in seconds and metres; a
price list shows "per minute" and "per km", VAT included (what a citizen pays) beside the
net figure, and the caps that bound a rental (daily cap, minimum and maximum price).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from billing.tariffs import Dimension, Restrictions, TariffSpec

# How a price list states each dimension: the unit shown and the factor from the tariff's unit.
_SHOWN = {
    Dimension.FLAT: ("trip", Decimal(1)),
    Dimension.TIME: ("minute", Decimal(1) / 60),  # tariffs price time per hour
    Dimension.PARKING_TIME: ("minute", Decimal(1) / 60),
    Dimension.ENERGY: ("kWh", Decimal(1)),
    Dimension.DISTANCE: ("km", Decimal(1)),
}
_STEP_UNIT = {
    Dimension.TIME: ("second", 1),
    Dimension.PARKING_TIME: ("second", 1),
    Dimension.ENERGY: ("Wh", 1),
    Dimension.DISTANCE: ("m", 1),
}


@dataclass(frozen=True)
class ComponentPrice:
    """One price of the list: what it charges for, per which unit, net and with VAT."""

    dimension: str  # FLAT, TIME, PARKING_TIME, ENERGY, DISTANCE
    unit: str  # trip, minute, kWh, km
    excl_vat: Decimal  # per `unit`, exact (may have more digits than the currency)
    incl_vat: Decimal
    vat_percent: Decimal
    step: int  # billed in steps of this many `step_unit` (0/1: exact)
    step_unit: str
    restricted: bool  # applies only under conditions (time of day, day, duration...)
    restrictions: Restrictions


@dataclass(frozen=True)
class Cap:
    """A bound on the whole price: daily cap, minimum or maximum (incl. VAT when known)."""

    kind: str  # daily_cap, min_price, max_price
    excl_vat: Decimal | None
    incl_vat: Decimal | None


@dataclass(frozen=True)
class TariffSummary:
    """A tariff as a price list."""

    code: str
    currency: str
    components: tuple[ComponentPrice, ...]
    caps: tuple[Cap, ...]
    vat_percents: tuple[Decimal, ...]  # the distinct VAT rates, lowest first


def with_vat(amount: Decimal, vat_percent: Decimal) -> Decimal:
    """A net amount with its VAT added (exact)."""
    return amount * (1 + vat_percent / 100)


def summarise(spec: TariffSpec) -> TariffSummary:
    """Every price component of every element, and every bound on the total."""
    components = []
    for element in spec.elements:
        restricted = element.restrictions != Restrictions()
        for c in element.components:
            unit, factor = _SHOWN[c.dimension]
            step_unit, _ = _STEP_UNIT.get(c.dimension, ("", 0))
            net = c.price * factor
            components.append(
                ComponentPrice(
                    dimension=str(c.dimension),
                    unit=unit,
                    excl_vat=net,
                    incl_vat=with_vat(net, c.vat),
                    vat_percent=c.vat,
                    step=c.step_size if c.dimension is not Dimension.FLAT else 0,
                    step_unit=step_unit,
                    restricted=restricted,
                    restrictions=element.restrictions,
                )
            )
    rates = sorted({c.vat_percent for c in components} or {spec.default_vat})
    return TariffSummary(
        code=spec.code,
        currency=spec.currency,
        components=tuple(components),
        caps=_caps(spec, rates),
        vat_percents=tuple(rates),
    )


def _caps(spec: TariffSpec, rates: list[Decimal]) -> tuple[Cap, ...]:
    """The tariff's bounds; a net-only bound gets its VAT when the tariff has one rate."""
    one_rate = rates[0] if len(rates) == 1 else None
    caps = []
    for kind, excl, incl in (
        ("daily_cap", spec.daily_cap, None),
        ("min_price", spec.min_price, spec.min_price_incl_vat),
        ("max_price", spec.max_price, spec.max_price_incl_vat),
    ):
        if excl is None and incl is None:
            continue
        if incl is None and excl is not None and one_rate is not None:
            incl = with_vat(excl, one_rate)
        caps.append(Cap(kind, excl, incl))
    return tuple(caps)
