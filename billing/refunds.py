"""How a refund splits over the VAT rates of the invoice it credits. Pure.

The gross refund is shared over the rates in proportion to what is still refundable at each
(largest remainder, to the minor unit, ties to the higher rate); each rate's share is split into
net and VAT in the proportion still refundable at that rate (half-up), so refunding all that is
left gives back exactly the invoice's net and VAT per rate, and no rate is ever over-refunded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

# Per VAT rate: (net, VAT) in minor units.
ByRate = dict[Decimal, tuple[int, int]]


def by_rate(lines: Iterable[tuple[Decimal, int, int]]) -> ByRate:
    """Net and VAT per rate of (VAT percent, net, VAT) lines."""
    out: ByRate = {}
    for rate, net, vat in lines:
        n, v = out.get(rate, (0, 0))
        out[rate] = (n + net, v + vat)
    return out


def largest_remainder(amount: int, weights: Mapping[Decimal, int]) -> dict[Decimal, int]:
    """`amount` shared in proportion to positive weights; the shares add up to it exactly."""
    total = sum(weights.values())
    order = sorted(weights, reverse=True)  # ties: the higher rate first
    floors = {k: amount * weights[k] // total for k in order}
    rests = {k: amount * weights[k] - floors[k] * total for k in order}
    left = amount - sum(floors.values())
    for k in sorted(order, key=lambda k: -rests[k])[:left]:
        floors[k] += 1
    return floors


def remaining(invoiced: ByRate, credited: ByRate) -> ByRate:
    """What is still refundable per rate after earlier credit notes (as positive figures)."""
    # Credit notes from before the per-rate split carry one blended rate: that gross is
    # taken from the invoice's rates in proportion, as a refund of it would have been.
    left = dict(invoiced)
    for rate, (net, vat) in credited.items():
        if rate in left:
            n, v = left[rate]
            left[rate] = (n + net, v + vat)  # credited figures are negative
        else:
            for r, (n, v) in split_refund(-(net + vat), left).items():
                ln, lv = left[r]
                left[r] = (ln - n, lv - v)
    return left


def split_refund(amount: int, left: ByRate) -> ByRate:
    """(net, VAT) per rate of a gross refund of `amount` (at most what is left)."""
    gross = {rate: n + v for rate, (n, v) in left.items() if n + v > 0}
    if not gross or amount > sum(gross.values()):
        raise ValueError("a refund cannot exceed what is left to refund")
    out: ByRate = {}
    for rate, share in largest_remainder(amount, gross).items():
        if share:
            vat = left[rate][1]
            if share != gross[rate]:
                vat = (2 * share * vat + gross[rate]) // (2 * gross[rate])  # half-up
            out[rate] = (share - vat, vat)
    return out
