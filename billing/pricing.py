"""Pricing engine (OCPI 2.2.1 tariffs): pure functions over a TariffSpec and a session's periods.

Element lookup: per dimension, the first element carrying it whose restrictions hold (OCPI).
Periods are cut wherever that may change: local time-of-day / weekday / date boundaries (real
wall-clock instants from zoneinfo, DST jumps included), min/max_duration at the exact elapsed
second, min/max_kwh where cumulative energy crosses the threshold (energy interpolated linearly
within a period and split exactly at the threshold; the time cut falls on the second the
crossing happens in). Power and current are uniform within a period (a change is a new period),
so min/max_power and min/max_current switch at period bounds; a period without power uses its
average (energy / duration), one without current counts as 0 A. Durations are real elapsed time.
TIME vs PARKING_TIME comes with the periods: see billing.pricing_periods for how metered charging
sessions are read (only the trailing stretch after the last charging is parking).

step_size (OCPI CDR module): applied once per session to the total volume of a dimension, with
the step of the last element that priced it, the extra volume billed at that element's price.
TIME and PARKING_TIME count as one group: only the dimension priced last is rounded (charging
time followed by priced parking is not). ENERGY and DISTANCE are rounded each on their own.
Reservation periods are their own scope (own FLAT fee, own rounding).

Rounding, stated once:
1. Each line (dimension x element) is priced exactly and rounded half-up once to the
   currency's minor unit (ISO 4217 exponent, mobility.money).
2. Daily cap and min/max price add adjustment lines in exact minor units. An adjustment is split
   over the session's VAT rates in proportion to their net amounts (largest remainder), so each
   adjustment line carries a real rate of the tariff, never a default. When the bound also gives
   an incl.-VAT figure, the split is instead chosen between "all at the lowest rate" and "all at
   the highest rate" to reach that figure, and the net moves on, a minor unit at a time, if the
   incl.-VAT figure still does not hold. The cap applies first, then min_price, then max_price.
   With no priced line, a min_price adjustment takes the VAT rate of the tariff's first component.
3. VAT: the exact VAT of every line is summed and rounded half-up once per session; each line
   gets its share by largest remainder, so lines always add up to the totals.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from billing.pricing_compile import (
    DIVISOR,
    CompiledTariff,
    Component,
    compile_rule,
    compiled,
    local_parts,
    next_clock_cut,
    quantity,
)
from billing.pricing_fast import price_static
from billing.pricing_lines import Draft, PriceBreakdown, PriceLine
from billing.pricing_money import breakdown
from billing.pricing_periods import (
    Period,
    Sample,
    charging_periods,
    charging_periods_from_samples,
    rental_periods,
)
from billing.tariffs import Dimension, Reservation, Restrictions, TariffSpec
from mobility.money import to_minor, vat_of

__all__ = [
    "Period",
    "PriceBreakdown",
    "PriceLine",
    "Sample",
    "charging_periods",
    "charging_periods_from_samples",
    "matches",
    "price_session",
    "rental_periods",
    "split_periods",
    "to_minor",
    "vat_of",
]

_RESERVATION_LABEL = {
    Dimension.FLAT: ("Reservation fee", "RESERVATION_FEE"),
    Dimension.TIME: ("Reservation time", "RESERVATION_TIME"),
}
_ORDER = {dim: i for i, dim in enumerate(Dimension)}
_ZERO = Decimal(0)
_ONE = Decimal(1)
_KW_PER_WH_S = Decimal("3.6")  # Wh per second -> kW
_TIME_GROUP = "TIME+PARKING"
_NO_LOCAL = (0, 0, 0)

Key = tuple["Reservation | None", Component]
Volumes = dict[Key, "int | Decimal"]
Last = dict[tuple["Reservation | None", str], Key]


def matches(
    r: Restrictions,
    local: datetime,
    elapsed_s: int,
    energy_kwh: Decimal,
    power_kw: Decimal | None,
    current_a: Decimal | None = None,
) -> bool:
    """Whether an element's restrictions hold at this moment (unknown power/current count as 0)."""
    rule = compile_rule(r)
    if rule is None:
        return True
    clock = (
        local.weekday(),
        local.hour * 3600 + local.minute * 60 + local.second,
        local.toordinal(),
    )
    return rule.holds(clock, elapsed_s, energy_kwh * 1000, power_kw or _ZERO, current_a or _ZERO)


# -- cutting periods -----------------------------------------------------------------------------


def _epoch(moment: datetime) -> int:
    """UTC epoch second of a moment (naive datetimes are read as the system's local time)."""
    return int(moment.timestamp())


def _next_cut(ct: CompiledTariff, tz: ZoneInfo, t: int, end: int, origin: int, ordinal: int) -> int:
    """The next instant after t where a clock or duration rule may switch (at most `end`)."""
    cut = end
    if ct.clock_marks and t < end:
        cut = min(cut, next_clock_cut(t, ordinal, tz, ct.clock_marks))
    for mark in ct.duration_marks:
        if origin + mark > t:
            return min(cut, origin + mark)
    return cut


def _wh_crossing(
    ct: CompiledTariff, p: Period, t0: int, wh0: Decimal, e: Decimal
) -> tuple[int, Decimal] | None:
    """Where (second, threshold) cumulative energy next crosses a kWh mark inside period p."""
    for mark in ct.wh_marks:
        if mark > e:
            if mark >= wh0 + p.energy_wh:
                return None
            if not p.duration_s:
                return t0, mark
            x = ((mark - wh0) * p.duration_s / p.energy_wh).to_integral_value(ROUND_CEILING)
            return t0 + int(x), mark
    return None


Slice = tuple[int, int, Decimal, Decimal, Decimal, tuple[int, int, int]]


def _slices(
    ct: CompiledTariff, tz: ZoneInfo, p: Period, origin: int, wh0: Decimal
) -> Iterator[Slice]:
    """(start, seconds, energy before, energy, distance, local clock) of each uniform slice."""
    t0 = _epoch(p.start)
    dur = max(p.duration_s, 0)
    end, wh_end = t0 + dur, wh0 + p.energy_wh
    t, e, m = t0, wh0, _ZERO
    while True:
        local = local_parts(t, tz) if ct.clock_marks else _NO_LOCAL
        cut = _next_cut(ct, tz, t, end, origin, local[2])
        e_cut = wh_end if cut >= end else wh0 + p.energy_wh * (cut - t0) / dur
        crossing = _wh_crossing(ct, p, t0, wh0, e) if p.energy_wh > 0 and ct.wh_marks else None
        if crossing is not None and crossing[0] <= cut:
            cut, e_cut = crossing
        m_cut = p.distance_m if cut >= end else p.distance_m * (cut - t0) / dur
        yield t, cut - t, e, e_cut - e, m_cut - m, local
        t, e, m = cut, e_cut, m_cut
        if t >= end and e >= wh_end:
            return


def split_periods(spec: TariffSpec, periods: Sequence[Period], tz: ZoneInfo) -> list[Period]:
    """Periods cut wherever an element may switch: the ChargingPeriods an OCPI CDR needs."""
    out: list[Period] = []
    for scope, group in _scopes(sorted(periods, key=_start)):
        origin, wh = _epoch(group[0].start), _ZERO
        for p in group:
            for t, dur, _e0, e, m, _local in _slices(compiled(spec), tz, p, origin, wh):
                start = datetime.fromtimestamp(t, p.start.tzinfo or UTC)
                out.append(Period(start, dur, e, m, p.parking, p.power_kw, p.current_a, scope))
            wh += p.energy_wh
    return out


# -- volumes per element -------------------------------------------------------------------------


def _start(p: Period) -> datetime:
    """Sort key: a period's start."""
    return p.start


def _scopes(ordered: Sequence[Period]) -> list[tuple[Reservation | None, list[Period]]]:
    """Reservation periods first (by kind), then the charging session's periods."""
    groups: dict[Reservation | None, list[Period]] = {}
    for p in ordered:
        groups.setdefault(p.reservation, []).append(p)
    return sorted(groups.items(), key=lambda kv: kv[0] is None)


def _add(vols: Volumes, key: Key, volume: int | Decimal) -> None:
    """Accumulate a volume for one component."""
    vols[key] = vols.get(key, 0) + volume


def _account(
    ct: CompiledTariff,
    scope: Reservation | None,
    p: Period,
    s: Slice,
    origin: int,
    vols: Volumes,
    last: Last,
) -> None:
    """Add one slice's time, energy and distance to the element active for each."""
    t, dur, e0, wh, m, local = s
    kw = p.power_kw
    if kw is None:
        kw = p.energy_wh * _KW_PER_WH_S / p.duration_s if p.duration_s > 0 else _ZERO
    at = (local, t - origin, e0, kw, p.current_a or _ZERO)
    time_dim = Dimension.PARKING_TIME if p.parking and scope is None else Dimension.TIME
    for dim, volume, group in (
        (time_dim, dur, _TIME_GROUP),
        (Dimension.ENERGY, wh, "ENERGY"),
        (Dimension.DISTANCE, m, "DISTANCE"),
    ):
        if volume > 0:
            comp = ct.find(scope, dim, at)
            if comp is not None:
                _add(vols, (scope, comp), volume)
                last[(scope, group)] = (scope, comp)


def _volumes(ct: CompiledTariff, ordered: Sequence[Period], tz: ZoneInfo) -> tuple[Volumes, Last]:
    """Volume per (scope, element component), and the last component priced per step group."""
    vols: Volumes = {}
    last: Last = {}
    for scope, group in _scopes(ordered):
        origin, wh, first = _epoch(group[0].start), _ZERO, True
        for p in group:
            for s in _slices(ct, tz, p, origin, wh):
                if first:
                    _flat(ct, scope, p, s, vols)
                    first = False
                _account(ct, scope, p, s, origin, vols, last)
            wh += p.energy_wh
    return vols, last


def _flat(
    ct: CompiledTariff, scope: Reservation | None, p: Period, s: Slice, vols: Volumes
) -> None:
    """The FLAT fee of a scope, looked up once at its first slice."""
    at = (s[5], 0, _ZERO, p.power_kw or _ZERO, p.current_a or _ZERO)
    comp = ct.find(scope, Dimension.FLAT, at)
    if comp is not None:
        vols[(scope, comp)] = 1


# -- lines ---------------------------------------------------------------------------------------


def _apply_steps(vols: Volumes, last: Last) -> None:
    """Round each step group's total up to its last component's step, extra to that component."""
    for (scope, _group), key in last.items():
        comp = key[1]
        same = [k for k in vols if k[0] == scope and k[1].dim is comp.dim]
        total = sum(vols[k] for k in same)
        extra: int | Decimal
        if isinstance(total, int):
            extra = -total % comp.step
        else:
            steps = (total / comp.step).to_integral_value(ROUND_CEILING)
            extra = steps * comp.step - total
        if extra:
            vols[key] += extra


def _drafts(vols: Volumes) -> list[Draft]:
    """Priced lines: reservation scope first, then by dimension and element order."""
    drafts = []
    for key in sorted(vols, key=lambda k: (k[0] is None, _ORDER[k[1].dim], k[1].index)):
        scope, comp = key
        volume = vols[key]
        label, component = (
            (comp.label, comp.name) if scope is None else _RESERVATION_LABEL[comp.dim]
        )
        billed = _ONE if comp.dim is Dimension.FLAT else quantity(volume, DIVISOR[comp.dim])
        amount = comp.amount(volume)
        drafts.append((label, component, billed, comp.unit, comp.price, amount, comp.vat_scaled))
    return drafts


def price_session(spec: TariffSpec, periods: Sequence[Period], tz: ZoneInfo) -> PriceBreakdown:
    """Price a session (trip, booking quote, charging session, reservation) from its periods."""
    if not isinstance(periods, (list, tuple)):
        periods = list(periods)  # any iterable, as before
    if not periods:
        raise ValueError("a session needs at least one period")
    ct = spec.__dict__.get("_compiled") or compiled(spec)
    ordered = periods if len(periods) == 1 else sorted(periods, key=_start)
    plan = ct.plan
    if plan is not None:
        fast = price_static(ct, plan, ordered)
        if fast is not None:
            return fast
    vols, last = _volumes(ct, ordered, tz)
    _apply_steps(vols, last)
    total_s = sum(p.duration_s for p in ordered if p.duration_s > 0)
    return breakdown(ct, _drafts(vols), total_s)
