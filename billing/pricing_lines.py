"""The pricing engine's values: priced lines, breakdowns, and lines prepared with their VAT share.

A line's VAT share (pricing module docstring, rounding step 3) is the floor of its exact VAT or
one minor unit more, depending on the other lines of the session. An Entry holds both versions
of a line, built once, so a session that bills a volume priced before only picks one of them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class PriceLine(NamedTuple):
    """One priced component of a session (an immutable value; a tuple for speed)."""

    description: str
    component: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount_excl_vat_minor: int
    vat_percent: Decimal
    vat_minor: int


class PriceBreakdown(NamedTuple):
    """An itemised price: lines plus totals in minor units."""

    currency: str
    tariff_code: str
    lines: tuple[PriceLine, ...]
    excl_vat_minor: int
    vat_minor: int
    total_minor: int


# A priced line before VAT is allocated, as a plain tuple (the hot path builds a few per
# session): (description, component, quantity, unit, unit price, amount excl. VAT in minor
# units, VAT percentage scaled to an integer by the tariff's vat_den / 100).
Draft = tuple[str, str, Decimal, str, Decimal, int, int]

# A line ready for any VAT share: (amount excl. VAT, floor of its exact VAT, the remainder of
# that floor in 1/vat_den minor units, the line with the floor, the line with one unit more,
# the line's first seven fields). An Entry made for one session only (not memoised) leaves the
# two lines None: the one the session needs is built from the fields.
Head = tuple[str, str, Decimal, str, Decimal, int, Decimal]
Entry = tuple[int, int, int, "PriceLine | None", "PriceLine | None", Head]

_tuple_new = tuple.__new__


def entry(
    head: tuple[str, str, Decimal, str, Decimal, int],
    vat: Decimal,
    scaled: int,
    den: int,
    *,
    kept: bool,
) -> Entry:
    """A line's Entry: head is the PriceLine's first six fields, scaled/den its VAT rate."""
    amount = head[5]
    floor, rest = divmod(amount * scaled, den)
    fields = (*head, vat)
    if not kept:
        return amount, floor, rest, None, None, fields
    low = _tuple_new(PriceLine, (*fields, floor))
    high = _tuple_new(PriceLine, (*fields, floor + 1))
    return amount, floor, rest, low, high, fields


def _line(e: Entry, up: int) -> PriceLine:
    """The entry's line with its VAT share (floor + up)."""
    line = e[4] if up else e[3]
    return line or _tuple_new(PriceLine, (*e[5], e[1] + up))


def pick(entries: list[Entry], den: int) -> tuple[tuple[PriceLine, ...], int, int]:
    """Lines with their VAT shares, total excl. VAT, total VAT (pricing module, rounding 3)."""
    # The session's exact VAT is sum(floor) * den + sum(rest): rounding it half-up once leaves
    # `left` units to hand to the largest remainders (ties to the earlier line).
    if len(entries) == 1:
        e = entries[0]
        up = 2 * e[2] >= den
        return (_line(e, up),), e[0], e[1] + up
    excl = floors = 0
    rests = []
    for amount, floor, rest, _low, _high, _head in entries:
        excl += amount
        floors += floor
        rests.append(rest)
    left = (2 * sum(rests) + den) // (2 * den)
    if not left:
        return tuple([e[3] or _line(e, 0) for e in entries]), excl, floors
    if left >= len(entries):
        return tuple([e[4] or _line(e, 1) for e in entries]), excl, floors + left
    ranked = sorted(range(len(rests)), key=rests.__getitem__, reverse=True)[:left]
    lines = tuple([_line(e, i in ranked) for i, e in enumerate(entries)])
    return lines, excl, floors + left
