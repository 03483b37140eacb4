"""The pricing engine's fast path: tariffs whose price per dimension never changes in a session.

When, for every dimension, the first element carrying it has no restrictions, no period ever
needs cutting and the session's price depends only on its total volumes: this prices those
sessions with integer arithmetic and the tariff's precomputed constants, and gives the same
result as the general path (tests compare both). Two shapes:
- one VAT rate and no min/max price (most tariffs): lines come from memoised Entries (each
  line built once with both of its possible VAT shares, pricing_lines), the daily cap and the
  VAT shares are done here;
- otherwise: the same lines, then the shared money steps (pricing_money.breakdown).
Volumes are summed as Decimals only for the dimensions the tariff prices; energy and distance
lines are memoised by the volume as written (str() of a Decimal is cheaper than its hash)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from billing.pricing_compile import CompiledTariff, Component, StaticPlan, quantity, room
from billing.pricing_lines import Entry, PriceBreakdown, entry, pick
from billing.pricing_money import breakdown, cap_label
from billing.pricing_periods import Period

_ZERO = Decimal(0)
_ONE = Decimal(1)
_tuple_new = tuple.__new__

Totals = tuple[int, int, bool, Decimal, Decimal]


def _unit_entry(c: Component, volume: Decimal) -> Entry | None:
    """ENERGY (Wh) or DISTANCE (m) rounded up to the step and priced exactly; None below 0."""
    # Memoised by the volume as written: str() of a Decimal costs a fraction of its hash or of
    # an int() conversion (equal values written differently just get an entry each).
    if volume.is_signed():
        return None
    whole = int(volume)
    if whole == volume:  # whole units: integer arithmetic and the component's memo
        found = c.entry(whole + -whole % c.step)
    else:
        billed = (volume / c.step).to_integral_value(ROUND_CEILING) * c.step
        amount = int((billed * c.minor_per_unit).quantize(_ONE, ROUND_HALF_UP))
        head = (c.label, c.name, quantity(billed, 1000), c.unit, c.price, amount)
        found = entry(head, c.vat, c.vat_scaled, c.vat_den, kept=room(c.by_volume))
    if found[3] is not None and room(c.by_volume):
        c.by_volume[str(volume)] = found
    return found


def _totals(plan: StaticPlan, periods: Sequence[Period]) -> Totals | None:
    """Seconds charging/riding and parked, whether parking was priced last, Wh and metres."""
    # None for reservation time (the general path). Energy and distance are summed (Decimal
    # additions) only when the tariff prices them.
    energy, distance = plan.energy is not None, plan.distance is not None
    time_s = parking_s = 0
    wh = m = _ZERO
    parking_last = False  # which of TIME / PARKING_TIME was priced last takes the step rounding
    for _start, d, e, dist, parking, _kw, _a, reservation in periods:
        if reservation is not None:
            return None
        if d > 0:
            if parking:
                parking_s += d
                parking_last = parking_last or plan.parking is not None
            else:
                time_s += d
                parking_last = parking_last and plan.time is None
        if energy and e:
            wh = e if wh is _ZERO else wh + e
        if distance and dist:
            m = dist if m is _ZERO else m + dist
    return time_s, parking_s, parking_last, wh, m


def _entries(
    plan: StaticPlan, time_s: int, parking_s: int, parking_last: bool, wh: Decimal, m: Decimal
) -> tuple[list[Entry], int]:
    """The session's lines (without cap or bounds), and the amount of those under a daily cap."""
    entries = [] if plan.flat is None else [plan.flat]
    cappable = 0  # TIME, PARKING_TIME, DISTANCE (pricing_money.CAPPABLE)
    c = plan.time
    if c is not None and time_s > 0:
        e = c.entry(time_s if parking_last else time_s + -time_s % c.step)
        entries.append(e)
        cappable = e[0]
    c = plan.parking
    if c is not None and parking_s > 0:
        e = c.entry(parking_s + -parking_s % c.step if parking_last else parking_s)
        entries.append(e)
        cappable += e[0]
    c = plan.energy
    if c is not None and wh:
        u = c.by_volume.get(str(wh)) or _unit_entry(c, wh)
        if u is not None:
            entries.append(u)
    c = plan.distance
    if c is not None and m:
        u = c.by_volume.get(str(m)) or _unit_entry(c, m)
        if u is not None:
            entries.append(u)
            cappable += u[0]
    return entries, cappable


def _cap_entry(ct: CompiledTariff, rate: int, days: int, delta: int) -> Entry:
    """The daily cap's adjustment line at the tariff's one VAT rate (pricing_money.capped)."""
    head = (cap_label(days), "CAP", _ONE, "adjustment", ct.major(delta), delta)
    keep = room(ct.cap_entries)  # the caller looks the memo up first
    found = entry(head, ct.vat_of_scaled[rate], rate, ct.vat_den, kept=keep)
    if keep:
        ct.cap_entries[(days, delta)] = found
    return found


def price_static(
    ct: CompiledTariff, plan: StaticPlan, periods: Sequence[Period]
) -> PriceBreakdown | None:
    """Price from totals with ct's plan; None (use the general path) for reservations."""
    if len(periods) == 1:  # most sessions: the totals are the period's own figures
        _start, d, e, dist, parking, _kw, _a, reservation = periods[0]
        if reservation is not None:
            return None
        d = d if d > 0 else 0
        if parking:
            entries, cappable = _entries(plan, 0, d, plan.parking is not None, e, dist)
        else:
            entries, cappable = _entries(plan, d, 0, False, e, dist)
    else:
        totals = _totals(plan, periods)
        if totals is None:
            return None
        d = totals[0] + totals[1]
        entries, cappable = _entries(plan, *totals)
    rate = plan.one_rate
    if rate is None:  # several VAT rates or min/max price: the shared money steps
        scaled = ct.scaled_vat
        drafts = [(*e[5][:6], scaled[e[5][6]]) for e in entries]
        return breakdown(ct, drafts, d)
    if ct.cap is not None and cappable:
        days = -(-d // 86400) or 1
        num, den = ct.cap  # pricing_money.cap_minor, inline: most sessions here are capped
        over = cappable - (2 * num * days + den) // (2 * den)
        if over > 0:
            entries.append(ct.cap_entries.get((days, -over)) or _cap_entry(ct, rate, days, -over))
    lines, excl, vat = pick(entries, ct.vat_den)
    return _tuple_new(PriceBreakdown, (ct.currency, ct.code, lines, excl, vat, excl + vat))
