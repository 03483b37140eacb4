"""Our OCPI-shaped rental tariffs as GBFS pricing plans, and what a plan cannot say. Pure.

GBFS plans price a rental as a base price plus per-minute and per-kilometre segments. What a
tariff says beyond that (time-of-day or weekday elements, minimum and maximum prices, the
daily cap, steps finer than a minute or a kilometre) is stated in the plan's description.
Prices are published VAT included (`is_taxable` false), as riders pay them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from billing.tariffs import Dimension, PriceComponent, Restrictions, TariffSpec
from open_data import i18n
from open_data.model import PublicTariff

_RATE = Decimal("0.0001")
_ONLY_DURATION = Restrictions()


@dataclass(frozen=True)
class Segment:
    """A GBFS per-minute or per-km segment: `rate` for each `interval` from `start` to `end`."""

    start: int
    rate: Decimal
    interval: int
    end: int | None = None


@dataclass
class Plan:
    """A tariff converted: base price, segments, and notes on what the numbers leave out."""

    price: Decimal = Decimal(0)
    per_min: list[Segment] = field(default_factory=list)
    per_km: list[Segment] = field(default_factory=list)
    # (i18n key, values) sentences added to the description.
    notes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def note(self, key: str, **values: Any) -> None:
        """Add a sentence once."""
        if (key, values) not in self.notes:
            self.notes.append((key, values))


def _incl(c: PriceComponent) -> Decimal:
    return c.price * (1 + c.vat / 100)


def _minutes(r: Restrictions) -> tuple[float, float] | None:
    """The element's span of rental minutes, or None when it depends on more than duration."""
    if replace(r, min_duration=None, max_duration=None) != _ONLY_DURATION:
        return None
    start = (r.min_duration or 0) / 60
    return start, math.inf if r.max_duration is None else r.max_duration / 60


def _uncovered(covered: list[tuple[float, float]], a: float, b: float) -> list[tuple[float, float]]:
    """Parts of [a, b) no earlier element priced (OCPI: the first matching element wins)."""
    parts = [(a, b)]
    for c, d in covered:
        parts = [p for x, y in parts for p in ((x, min(y, c)), (max(x, d), y)) if p[0] < p[1]]
    return parts


def convert(spec: TariffSpec) -> Plan:
    """A tariff's elements in order, each dimension priced by the first element that applies."""
    plan = Plan()
    covered: dict[Dimension, list[tuple[float, float]]] = {d: [] for d in Dimension}
    for element in spec.elements:
        span = _minutes(element.restrictions)
        if span is None:
            plan.note("conditional")
            continue
        for c in element.components:
            for a, b in _uncovered(covered[c.dimension], *span):
                _component(plan, c, a, b)
            covered[c.dimension].append(span)
    _bounds(plan, spec)
    return plan


def _component(plan: Plan, c: PriceComponent, a: float, b: float) -> None:
    whole = a == 0 and b == math.inf
    if a != int(a) or (b != math.inf and b != int(b)):
        plan.note("conditional")  # spans in seconds: GBFS segments count whole minutes
        return
    end = None if b == math.inf else int(b)
    if c.dimension is Dimension.FLAT:
        if whole:
            plan.price += _incl(c)
        else:
            plan.per_min.append(Segment(int(a), _incl(c).quantize(_RATE), 0, end))
    elif c.dimension is Dimension.TIME:
        minutes = max(1, c.step_size // 60)
        if c.step_size % 60:
            plan.note("time_step", seconds=c.step_size)
        rate = (_incl(c) / 60 * minutes).quantize(_RATE)
        plan.per_min.append(Segment(int(a), rate, minutes, end))
    elif c.dimension is Dimension.DISTANCE and whole:
        km = max(1, c.step_size // 1000)
        if c.step_size % 1000:
            plan.note("distance_step", metres=c.step_size)
        plan.per_km.append(Segment(0, (_incl(c) * km).quantize(_RATE), km))
    else:
        # Energy and parking time price charging, distance within a duration span has no
        # GBFS form: say so rather than leave it out silently.
        plan.note("conditional")


def _bounds(plan: Plan, spec: TariffSpec) -> None:
    vat = 1 + spec.default_vat / 100
    low = spec.min_price_incl_vat or (spec.min_price * vat if spec.min_price else None)
    high = spec.max_price_incl_vat or (spec.max_price * vat if spec.max_price else None)
    if low:
        plan.note("min_price", amount=low)
    if high:
        plan.note("max_price", amount=high)
    if spec.daily_cap:
        # GBFS 3.1 fare_capping counts from the start of a rental; ours is per calendar day.
        plan.note("daily_cap", amount=spec.daily_cap * vat)


def describe(plan: Plan, currency: str, lang: str) -> str:
    """The plan in one language: VAT, base price, segments, then what the numbers leave out."""
    parts = [i18n.text("incl_vat", lang)]
    if plan.price:
        parts.append(i18n.text("base", lang, price=i18n.money(plan.price, currency, lang)))
    for s in plan.per_min:
        rate = i18n.money(s.rate, currency, lang)
        if s.interval == 0:
            parts.append(i18n.text("once_min", lang, rate=rate, start=s.start))
            continue
        span = (i18n.text("from_min", lang, n=s.start) if s.start else "") + (
            i18n.text("until_min", lang, n=s.end) if s.end is not None else ""
        )
        key = "per_min_1" if s.interval == 1 else "per_min_n"
        parts.append(i18n.text(key, lang, rate=rate, interval=s.interval, span=span))
    for s in plan.per_km:
        rate = i18n.money(s.rate, currency, lang)
        key = "per_km_1" if s.interval == 1 else "per_km_n"
        parts.append(i18n.text(key, lang, rate=rate, interval=s.interval))
    if not (plan.price or plan.per_min or plan.per_km):
        parts.append(i18n.text("free", lang))
    for key, values in plan.notes:
        shown = {
            k: i18n.money(v, currency, lang) if k == "amount" else v for k, v in values.items()
        }
        parts.append(i18n.text(key, lang, price=shown.pop("amount", ""), **shown))
    return " ".join(parts)


def _segments(segments: list[Segment]) -> list[dict[str, Any]]:
    out = []
    for s in segments:
        item: dict[str, Any] = {"start": s.start, "rate": float(s.rate), "interval": s.interval}
        if s.end is not None:
            item["end"] = s.end
        out.append(item)
    return out


def pricing_plan(t: PublicTariff, langs: tuple[str, ...]) -> dict[str, Any]:
    """One system_pricing_plans entry."""
    plan = convert(t.spec)
    out: dict[str, Any] = {
        "plan_id": t.code,
        "name": i18n.same(t.name, langs),
        "currency": t.spec.currency,
        "price": float(plan.price.quantize(_RATE)),
        "is_taxable": False,
        "description": [
            {"text": describe(plan, t.spec.currency, lang), "language": lang} for lang in langs
        ],
    }
    if plan.per_km:
        out["per_km_pricing"] = _segments(plan.per_km)
    if plan.per_min:
        out["per_min_pricing"] = _segments(plan.per_min)
    return out
