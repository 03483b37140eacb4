"""Pricing engine: pure functions over a TariffSpec and a session's periods, in exact decimals.

Rounding (stated once, tested): each line is priced exactly as Decimal, then rounded half-up
to the currency's minor unit; each line's VAT is rounded half-up from that rounded amount;
totals are sums of rounded lines, so an invoice always adds up. Step sizes round a line's
quantity up to whole steps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from billing.tariffs import Dimension, Element, PriceComponent, Restrictions, TariffSpec

_UNIT = {
    Dimension.TIME: (Decimal(3600), "h"),
    Dimension.PARKING_TIME: (Decimal(3600), "h"),
    Dimension.ENERGY: (Decimal(1000), "kWh"),
    Dimension.DISTANCE: (Decimal(1000), "km"),
    Dimension.FLAT: (Decimal(1), "session"),
}
_LABEL = {
    Dimension.FLAT: "Unlock / start fee",
    Dimension.TIME: "Time",
    Dimension.PARKING_TIME: "Idle / parking time",
    Dimension.ENERGY: "Energy",
    Dimension.DISTANCE: "Distance",
}
_ZERO_DECIMAL_CURRENCIES = {"JPY", "KRW", "ISK", "CLP", "VND"}
_DAY = timedelta(days=1)


def minor_exponent(currency: str) -> int:
    """Digits after the decimal point of a currency's minor unit."""
    return 0 if currency.upper() in _ZERO_DECIMAL_CURRENCIES else 2


def to_minor(amount: Decimal, currency: str) -> int:
    """Round a major-unit amount half-up to integer minor units."""
    exp = minor_exponent(currency)
    return int((amount * (10**exp)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def vat_of(amount_minor: int, vat_percent: Decimal) -> int:
    """VAT on a rounded amount, half-up (negative amounts mirror positive ones)."""
    sign = -1 if amount_minor < 0 else 1
    vat = (Decimal(abs(amount_minor)) * vat_percent / 100).quantize(Decimal(1), ROUND_HALF_UP)
    return sign * int(vat)


@dataclass(frozen=True)
class Period:
    """A slice of a session with uniform activity (OCPI ChargingPeriod-like)."""

    start: datetime
    duration_s: int
    energy_wh: Decimal = Decimal(0)
    distance_m: Decimal = Decimal(0)
    parking: bool = False


@dataclass(frozen=True)
class PriceLine:
    """One priced component of a session."""

    description: str
    component: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount_excl_vat_minor: int
    vat_percent: Decimal
    vat_minor: int


@dataclass(frozen=True)
class PriceBreakdown:
    """An itemised price: lines plus totals in minor units."""

    currency: str
    tariff_code: str
    lines: tuple[PriceLine, ...]
    excl_vat_minor: int
    vat_minor: int
    total_minor: int


def _in_time_window(t: time, r: Restrictions) -> bool:
    if r.start_time is None and r.end_time is None:
        return True
    start = r.start_time or time(0, 0)
    end = r.end_time or time(0, 0)
    if start < end:
        return start <= t < end
    # Wraps midnight (e.g. 22:00-06:00), or 00:00-00:00 meaning all day.
    return t >= start or t < end


def matches(
    r: Restrictions, local: datetime, elapsed_s: int, energy_kwh: Decimal, power_kw: Decimal | None
) -> bool:
    """Whether an element's restrictions hold at this moment of the session."""
    if r.day_of_week is not None and local.weekday() not in r.day_of_week:
        return False
    if not _in_time_window(local.time(), r):
        return False
    d = local.date()
    if (r.start_date and d < r.start_date) or (r.end_date and d >= r.end_date):
        return False
    if (r.min_duration is not None and elapsed_s < r.min_duration) or (
        r.max_duration is not None and elapsed_s >= r.max_duration
    ):
        return False
    if (r.min_kwh is not None and energy_kwh < r.min_kwh) or (
        r.max_kwh is not None and energy_kwh >= r.max_kwh
    ):
        return False
    if power_kw is not None:
        if (r.min_power is not None and power_kw < r.min_power) or (
            r.max_power is not None and power_kw >= r.max_power
        ):
            return False
    elif r.min_power is not None:
        return False
    return True


def _boundaries(elements: Sequence[Element]) -> list[time]:
    marks = {time(0, 0)}
    for el in elements:
        r = el.restrictions
        marks.update(t for t in (r.start_time, r.end_time) if t is not None)
    return sorted(marks)


def _next_boundary(local: datetime, marks: Sequence[time]) -> datetime:
    for mark in marks:
        candidate = local.replace(hour=mark.hour, minute=mark.minute, second=0, microsecond=0)
        if candidate > local:
            return candidate
    first = marks[0]
    return (local + _DAY).replace(hour=first.hour, minute=first.minute, second=0, microsecond=0)


def split_periods(periods: Iterable[Period], tz: ZoneInfo, marks: Sequence[time]) -> list[Period]:
    """Cut periods at local time-of-day marks so each slice sees one set of restrictions."""
    out: list[Period] = []
    for p in periods:
        remaining = p.duration_s
        start = p.start
        if remaining <= 0:
            out.append(p)
            continue
        while remaining > 0:
            local = start.astimezone(tz)
            cut = int((_next_boundary(local, marks) - local).total_seconds())
            chunk = min(remaining, max(cut, 1))
            share = Decimal(chunk) / Decimal(p.duration_s)
            out.append(
                Period(
                    start=start,
                    duration_s=chunk,
                    energy_wh=p.energy_wh * share,
                    distance_m=p.distance_m * share,
                    parking=p.parking,
                )
            )
            start += timedelta(seconds=chunk)
            remaining -= chunk
    return out


def _find(
    elements: Sequence[Element],
    dim: Dimension,
    local: datetime,
    elapsed_s: int,
    energy_kwh: Decimal,
    power_kw: Decimal | None,
) -> tuple[int, PriceComponent] | None:
    for idx, el in enumerate(elements):
        comp = next((c for c in el.components if c.dimension == dim), None)
        if comp is not None and matches(el.restrictions, local, elapsed_s, energy_kwh, power_kw):
            return idx, comp
    return None


def _line(dim: Dimension, comp: PriceComponent, raw_qty: Decimal, currency: str) -> PriceLine:
    divisor, unit = _UNIT[dim]
    if dim is Dimension.FLAT:
        billed = Decimal(1)
    else:
        steps = (raw_qty / comp.step_size).to_integral_value(rounding=ROUND_CEILING)
        billed = steps * comp.step_size / divisor
    amount = to_minor(billed * comp.price, currency)
    return PriceLine(
        description=_LABEL[dim],
        component=dim.value,
        quantity=billed.normalize() if billed else Decimal(0),
        unit=unit,
        unit_price=comp.price,
        amount_excl_vat_minor=amount,
        vat_percent=comp.vat,
        vat_minor=vat_of(amount, comp.vat),
    )


def _adjustment(label: str, component: str, amount: int, vat: Decimal) -> PriceLine:
    return PriceLine(
        description=label,
        component=component,
        quantity=Decimal(1),
        unit="adjustment",
        unit_price=Decimal(amount),
        amount_excl_vat_minor=amount,
        vat_percent=vat,
        vat_minor=vat_of(amount, vat),
    )


def _capped(spec: TariffSpec, lines: list[PriceLine], total_s: int) -> list[PriceLine]:
    """Daily cap: time/distance/parking charges never exceed the cap per started 24 hours."""
    if spec.daily_cap is None:
        return lines
    cappable = [ln for ln in lines if ln.component in ("TIME", "DISTANCE", "PARKING_TIME")]
    subtotal = sum(ln.amount_excl_vat_minor for ln in cappable)
    days = max(1, -(-total_s // 86400))
    cap = to_minor(spec.daily_cap * days, spec.currency)
    if subtotal <= cap:
        return lines
    vat = max(cappable, key=lambda ln: ln.amount_excl_vat_minor).vat_percent
    return [*lines, _adjustment(f"Daily cap ({days} day(s))", "CAP", cap - subtotal, vat)]


def _clamped(spec: TariffSpec, lines: list[PriceLine]) -> list[PriceLine]:
    total = sum(ln.amount_excl_vat_minor for ln in lines)
    if spec.min_price is not None and total < to_minor(spec.min_price, spec.currency):
        diff = to_minor(spec.min_price, spec.currency) - total
        return [*lines, _adjustment("Minimum price", "MIN_PRICE", diff, spec.default_vat)]
    if spec.max_price is not None and total > to_minor(spec.max_price, spec.currency):
        diff = to_minor(spec.max_price, spec.currency) - total
        return [*lines, _adjustment("Maximum price", "MAX_PRICE", diff, spec.default_vat)]
    return lines


def price_session(spec: TariffSpec, periods: Sequence[Period], tz: ZoneInfo) -> PriceBreakdown:
    """Price a session (trip, booking quote or charging session) described by its periods."""
    ordered = sorted(periods, key=lambda p: p.start)
    if not ordered:
        raise ValueError("a session needs at least one period")
    session_start = ordered[0].start
    marks = _boundaries(spec.elements)
    qty: dict[tuple[Dimension, int], Decimal] = {}
    comps: dict[tuple[Dimension, int], PriceComponent] = {}
    energy_so_far = Decimal(0)
    total_s = 0

    def add(
        dim: Dimension, amount: Decimal, local: datetime, elapsed: int, power: Decimal | None
    ) -> None:
        found = _find(spec.elements, dim, local, elapsed, energy_so_far / 1000, power)
        if found is None:
            return
        key = (dim, found[0])
        comps[key] = found[1]
        qty[key] = qty.get(key, Decimal(0)) + amount

    first_local = session_start.astimezone(tz)
    add(Dimension.FLAT, Decimal(1), first_local, 0, None)
    for p in split_periods(ordered, tz, marks):
        local = p.start.astimezone(tz)
        elapsed = int((p.start - session_start).total_seconds())
        power = (
            (p.energy_wh * Decimal("3.6") / p.duration_s) if p.duration_s and p.energy_wh else None
        )
        if p.duration_s > 0:
            dim = Dimension.PARKING_TIME if p.parking else Dimension.TIME
            add(dim, Decimal(p.duration_s), local, elapsed, power)
        if p.energy_wh > 0:
            add(Dimension.ENERGY, p.energy_wh, local, elapsed, power)
        if p.distance_m > 0:
            add(Dimension.DISTANCE, p.distance_m, local, elapsed, power)
        energy_so_far += p.energy_wh
        total_s += max(p.duration_s, 0)

    order = list(Dimension)
    keys = sorted(qty, key=lambda k: (order.index(k[0]), k[1]))
    lines = [_line(dim, comps[(dim, idx)], qty[(dim, idx)], spec.currency) for dim, idx in keys]
    lines = _clamped(spec, _capped(spec, lines, total_s))
    excl = sum(ln.amount_excl_vat_minor for ln in lines)
    vat = sum(ln.vat_minor for ln in lines)
    return PriceBreakdown(
        currency=spec.currency,
        tariff_code=spec.code,
        lines=tuple(lines),
        excl_vat_minor=excl,
        vat_minor=vat,
        total_minor=excl + vat,
    )


def rental_periods(
    start: datetime, end: datetime, distance_km: Decimal | None = None
) -> list[Period]:
    """A vehicle rental as one period (distance spread evenly over it)."""
    seconds = max(0, int((end - start).total_seconds()))
    return [Period(start=start, duration_s=seconds, distance_m=(distance_km or Decimal(0)) * 1000)]


def charging_periods(
    start: datetime, stop: datetime, energy_wh: Decimal, charging_ended: datetime | None = None
) -> list[Period]:
    """A charging session: charging time with its energy, then idle time after charging ended."""
    end_charge = min(max(charging_ended or stop, start), stop)
    periods = [
        Period(
            start=start, duration_s=int((end_charge - start).total_seconds()), energy_wh=energy_wh
        )
    ]
    idle = int((stop - end_charge).total_seconds())
    if idle > 0:
        periods.append(Period(start=end_charge, duration_s=idle, parking=True))
    return periods
