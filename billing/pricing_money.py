"""Money steps of the pricing engine after the lines are priced: daily cap, min/max price, VAT.

All in integer minor units; VAT percentages are scaled to integers (CompiledTariff.vat_den), so
every figure is exact until the single rounding step each rule states.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Final

from billing.pricing_compile import CompiledTariff
from billing.pricing_lines import Draft, PriceBreakdown, PriceLine

CAPPABLE = frozenset({"TIME", "PARKING_TIME", "DISTANCE"})
_ONE = Decimal(1)

__all__ = ["Draft", "PriceBreakdown", "PriceLine", "breakdown", "cap_label", "cap_minor"]
COMPONENT: Final = 1
AMOUNT: Final = 5
VAT: Final = 6


_tuple_new = tuple.__new__


def rhu(num: int, den: int) -> int:
    """num / den rounded half-up (away from zero), den > 0."""
    q, r = divmod(abs(num), den)
    q += 2 * r >= den
    return q if num >= 0 else -q


def vat_exact(drafts: list[Draft]) -> int:
    """Sum of the lines' exact VAT, scaled by vat_den."""
    return sum(d[AMOUNT] * d[VAT] for d in drafts)


def allocate_vat(drafts: list[Draft], den: int) -> list[int]:
    """VAT per line: the session's exact VAT rounded half-up once, shared by largest remainder."""
    # Ties go to the earlier line; the shares always add up to the rounded total.
    exact = [d[AMOUNT] * d[VAT] for d in drafts]
    shares = [x // den for x in exact]
    total_exact = sum(exact)
    left = (2 * total_exact + den) // (2 * den) - sum(shares)  # half-up (a session is >= 0)
    if left:  # hand the rounded-up units to the largest remainders
        rests = [x - s * den for x, s in zip(exact, shares)]  # noqa: B905
        for i in sorted(range(len(rests)), key=rests.__getitem__, reverse=True)[:left]:
            shares[i] += 1
    return shares


def _keep_sum(exact: dict[int, Fraction], total: int) -> dict[int, int]:
    """Round a split to integers that still add up to `total` (largest remainder)."""
    floors = {k: v.numerator // v.denominator for k, v in exact.items()}
    left = total - sum(floors.values())
    for k in sorted(exact, key=lambda k: -(exact[k] - floors[k]))[:left]:
        floors[k] += 1
    return {k: v for k, v in floors.items() if v}


def split(amount: int, weights: dict[int, int]) -> dict[int, int]:
    """An amount spread over VAT rates in proportion to their weights (net amounts)."""
    if len(weights) == 1:
        return {next(iter(weights)): amount}
    total = sum(weights.values())
    return _keep_sum({k: Fraction(amount * w, total) for k, w in weights.items()}, amount)


def rate_nets(drafts: list[Draft]) -> dict[int, int]:
    """Net amount per (scaled) VAT rate, positive ones only."""
    nets: dict[int, int] = {}
    for d in drafts:
        nets[d[VAT]] = nets.get(d[VAT], 0) + d[AMOUNT]
    return {v: n for v, n in nets.items() if n > 0}


def _extremes(delta: int, nets: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
    """The splits of `delta` over the rates that change VAT least and most."""
    if delta > 0:
        return {min(nets): delta}, {max(nets): delta}
    least: dict[int, int] = {}
    most: dict[int, int] = {}
    for out, order in ((least, sorted(nets, reverse=True)), (most, sorted(nets))):
        left = -delta
        for v in order:
            take = min(left, nets[v])
            out[v], left = -take, left - take
    return least, most


def _vat_change(change: dict[int, int]) -> int:
    """Exact (scaled) VAT of a split of net amounts over rates."""
    return sum(v * x for v, x in change.items())


def allocate(delta: int, nets: dict[int, int], vat_target: int | None) -> dict[int, int]:
    """Split a net adjustment over the session's VAT rates (see the pricing module docstring)."""
    # Without a VAT target: in proportion to the rates' net amounts. With one: the mix of the
    # least-VAT and most-VAT splits that reaches it, clamped to what the rates can reach.
    if delta == 0:
        return {}
    if vat_target is None or len(nets) == 1:
        return split(delta, nets)
    least, most = _extremes(delta, nets)
    low, high = _vat_change(least), _vat_change(most)
    if vat_target <= low or high == low:
        return least
    if vat_target >= high:
        return most
    lam = Fraction(vat_target - low, high - low)
    exact = {v: least.get(v, 0) + lam * (most.get(v, 0) - least.get(v, 0)) for v in nets}
    return _keep_sum(exact, delta)


def bound_change(
    drafts: list[Draft],
    excl: int | None,
    incl: int | None,
    den: int,
    fallback_vat: int,
    raise_: bool,
) -> dict[int, int]:
    """Net change per VAT rate that brings the session to a min (raise_) or max price."""
    # The total excl. VAT becomes the bound when it crosses it; the change is split over the
    # session's rates aiming at the bound's incl. VAT figure when given; then the net moves on
    # until the incl. VAT figure holds too.
    sign = 1 if raise_ else -1
    net, vat_x = sum(d[AMOUNT] for d in drafts), vat_exact(drafts)
    nets = rate_nets(drafts) or {fallback_vat: 1}

    def short(value: int, target: int | None) -> bool:
        """Whether value is on the wrong side of the bound."""
        return target is not None and sign * (target - value) > 0

    if not (short(net, excl) or short(net + rhu(vat_x, den), incl)):
        return {}
    target = excl if excl is not None and short(net, excl) else net
    top = max(nets)
    while True:
        aim = None if incl is None else (incl - target) * den - vat_x
        change = allocate(target - net, nets, aim)
        gross = target + rhu(vat_x + _vat_change(change), den)
        if incl is None or not short(gross, incl) or (target == 0 and not raise_):
            return change
        # each minor unit of net moves the gross by at most 1 + top rate: never overshoots
        target += sign * max(1, abs(incl - gross) * den // (den + top))
        target = max(target, 0)


def _adjustments(
    ct: CompiledTariff, label: str, component: str, change: dict[int, int]
) -> list[Draft]:
    """Adjustment lines, one per VAT rate (numbered when there are several)."""
    # unit_price is the amount in major units: mobility.money.to_major with the tariff's exponent.
    if len(change) == 1:  # the usual case, kept cheap
        ((vat, amount),) = change.items()
        return [(label, component, _ONE, "adjustment", ct.major(amount), amount, vat)]
    return [
        (f"{label} ({i + 1})", component, _ONE, "adjustment", ct.major(a), a, vat)
        for i, (vat, a) in enumerate(sorted(change.items(), reverse=True))
    ]


def cap_minor(cap: tuple[int, int], days: int) -> int:
    """The daily cap over `days` started days, in minor units rounded half-up once."""
    num, den = cap
    return (2 * num * days + den) // (2 * den)  # a cap is never negative


def cap_label(days: int) -> str:
    """The description of a daily cap line."""
    return f"Daily cap ({days} day(s))"


def capped(ct: CompiledTariff, drafts: list[Draft], total_s: int) -> list[Draft]:
    """Daily cap: time/distance/parking charges never exceed the cap per started 24 hours."""
    if ct.cap is None:
        return drafts
    subtotal = 0
    for d in drafts:
        if d[COMPONENT] in CAPPABLE:
            subtotal += d[AMOUNT]
    days = -(-total_s // 86400) or 1
    cap = cap_minor(ct.cap, days)
    if subtotal <= cap:
        return drafts
    label = cap_label(days)
    if ct.cap_vat is not None:  # one rate: no split to make
        delta = cap - subtotal
        drafts.append((label, "CAP", _ONE, "adjustment", ct.major(delta), delta, ct.cap_vat))
        return drafts
    change = split(cap - subtotal, rate_nets([d for d in drafts if d[COMPONENT] in CAPPABLE]))
    return drafts + _adjustments(ct, label, "CAP", change)


def bounded(ct: CompiledTariff, drafts: list[Draft]) -> list[Draft]:
    """min_price then max_price, each on both its excl. and incl. VAT figures."""
    for raise_, excl, incl, label, component in (
        (True, ct.min_minor, ct.min_incl_minor, "Minimum price", "MIN_PRICE"),
        (False, ct.max_minor, ct.max_incl_minor, "Maximum price", "MAX_PRICE"),
    ):
        if excl is not None or incl is not None:
            change = bound_change(drafts, excl, incl, ct.vat_den, ct.fallback_vat, raise_)
            drafts = drafts + _adjustments(ct, label, component, change)
    return drafts


def breakdown(ct: CompiledTariff, drafts: list[Draft], total_s: int) -> PriceBreakdown:
    """Cap, bounds, then PriceLines with their VAT shares, and the totals."""
    if ct.cap is not None:
        drafts = capped(ct, drafts, total_s)
    if ct.has_bounds:
        drafts = bounded(ct, drafts)
    rate = ct.vat_of_scaled
    den = ct.vat_den
    if len(drafts) == 1:  # one line (most charging sessions): its VAT is the rounded total
        desc, comp, qty, unit, price, amount, vat_scaled = drafts[0]
        vat = (2 * amount * vat_scaled + den) // (2 * den)
        line = _tuple_new(PriceLine, (desc, comp, qty, unit, price, amount, rate[vat_scaled], vat))
        return _tuple_new(
            PriceBreakdown, (ct.currency, ct.code, (line,), amount, vat, amount + vat)
        )
    vats = allocate_vat(drafts, den)
    excl = vat_total = 0
    lines = []
    for (desc, comp, qty, unit, price, amount, vat_scaled), vat in zip(drafts, vats):  # noqa: B905
        # tuple.__new__ directly: the generated NamedTuple constructor is a Python-level call.
        lines.append(
            _tuple_new(PriceLine, (desc, comp, qty, unit, price, amount, rate[vat_scaled], vat))
        )
        excl += amount
        vat_total += vat
    return _tuple_new(
        PriceBreakdown, (ct.currency, ct.code, tuple(lines), excl, vat_total, excl + vat_total)
    )
