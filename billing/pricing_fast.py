"""The pricing engine's fast path: tariffs whose price per dimension never changes in a session.

When, for every dimension, the first element carrying it has no restrictions, no period ever
needs cutting and the session's price depends only on its total volumes: this prices those
sessions with integer arithmetic and the tariff's precomputed constants, and gives the same
result as the general path (tests compare both).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from billing.pricing_compile import (
    CompiledTariff,
    Component,
    StaticPlan,
    quantity,
    to_minor_exact,
)
from billing.pricing_money import Draft, PriceBreakdown, breakdown
from billing.pricing_periods import Period

_ZERO = Decimal(0)


def _unit_draft(c: Component, volume: Decimal) -> Draft:
    """ENERGY (Wh) or DISTANCE (m): rounded up to the step, priced exactly."""
    whole = int(volume)
    if whole == volume:  # whole units: integer arithmetic throughout
        whole += -whole % c.step
        amount = (whole * c.num2 + c.den) // c.den2
        return c.label, c.name, quantity(whole, 1000), c.unit, c.price, amount, c.vat_scaled
    billed = (volume / c.step).to_integral_value(ROUND_CEILING) * c.step
    amount = to_minor_exact(billed * c.minor_per_unit)
    return c.label, c.name, quantity(billed, 1000), c.unit, c.price, amount, c.vat_scaled


def price_static(
    ct: CompiledTariff, plan: StaticPlan, periods: Sequence[Period]
) -> PriceBreakdown | None:
    """Price from totals with ct's plan; None (use the general path) for reservations."""
    time_s = parking_s = 0
    wh = m = _ZERO
    parking_last = False  # which of TIME / PARKING_TIME was priced last takes the step rounding
    for p in periods:
        if p.reservation is not None:
            return None
        d = p.duration_s
        if d > 0:
            if p.parking:
                parking_s += d
                parking_last = parking_last or plan.parking is not None
            else:
                time_s += d
                parking_last = parking_last and plan.time is None
        if p.energy_wh:
            wh += p.energy_wh
        if p.distance_m:
            m += p.distance_m
    drafts = [] if plan.flat is None else [plan.flat]
    c = plan.time
    if c is not None and time_s > 0:
        billed = time_s if parking_last else time_s + -time_s % c.step
        amount = (billed * c.num2 + c.den) // c.den2
        drafts.append(
            (c.label, c.name, quantity(billed, 3600), c.unit, c.price, amount, c.vat_scaled)
        )
    c = plan.parking
    if c is not None and parking_s > 0:
        billed = parking_s + -parking_s % c.step if parking_last else parking_s
        amount = (billed * c.num2 + c.den) // c.den2
        drafts.append(
            (c.label, c.name, quantity(billed, 3600), c.unit, c.price, amount, c.vat_scaled)
        )
    if plan.energy is not None and wh > 0:
        drafts.append(_unit_draft(plan.energy, wh))
    if plan.distance is not None and m > 0:
        drafts.append(_unit_draft(plan.distance, m))
    return breakdown(ct, drafts, time_s + parking_s)
