"""A TariffSpec compiled once for the pricing engine: restrictions as plain comparisons, prices as
integer fractions of minor units, and the instants where local time-of-day rules can change.

Pure and cached: `compiled(spec)` builds one CompiledTariff per spec, and the per-day cut
tables are memoised per (time zone, local date, marks), so pricing a session never re-parses.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from billing.pricing_lines import Entry, entry
from billing.tariffs import Dimension, PriceComponent, Reservation, Restrictions, TariffSpec
from mobility.money import exponent, to_minor

DIVISOR = {
    Dimension.FLAT: 1,
    Dimension.TIME: 3600,  # seconds per hour
    Dimension.PARKING_TIME: 3600,
    Dimension.ENERGY: 1000,  # Wh per kWh
    Dimension.DISTANCE: 1000,  # metres per km
}
_ONE = Decimal(1)
UNIT = {
    Dimension.TIME: "h",
    Dimension.PARKING_TIME: "h",
    Dimension.ENERGY: "kWh",
    Dimension.DISTANCE: "km",
    Dimension.FLAT: "session",
}
LABEL = {
    Dimension.FLAT: ("Unlock / start fee", "FLAT"),
    Dimension.TIME: ("Time", "TIME"),
    Dimension.PARKING_TIME: ("Idle / parking time", "PARKING_TIME"),
    Dimension.ENERGY: ("Energy", "ENERGY"),
    Dimension.DISTANCE: ("Distance", "DISTANCE"),
}
_QUANTITY: dict[int, dict[int, Decimal]] = {}  # divisor -> whole volume -> quantity
_QUANTITY_SIZE = 50_000  # per divisor
# Memoised lines per component (cap lines, amounts per tariff): a few thousand cover the
# volumes sessions bill over and over (whole minutes, steps). A full memo keeps what it has
# (memory stays bounded, ~2 MB each); lines beyond it are built for their session alone.
MEMO_SIZE = 4096


def room(memo: dict[Any, Any]) -> bool:
    """Whether a memo may take one more value."""
    return len(memo) < MEMO_SIZE


def quantity(volume: int | Decimal, divisor: int) -> Decimal:
    """Billed volume in display units (h, kWh, km), normalised (memoised for whole numbers)."""
    known = _QUANTITY.get(divisor)
    if known is None:
        known = _QUANTITY[divisor] = {}
    whole = type(volume) is int
    if whole:
        cached = known.get(volume)  # type: ignore[arg-type]
        if cached is not None:
            return cached
    q = (Decimal(volume) / divisor).normalize()
    if q.as_tuple().exponent > 0:  # type: ignore[operator]
        q = q.quantize(_ONE)  # 1E+2 -> 100
    if whole and len(known) < _QUANTITY_SIZE:
        known[volume] = q  # type: ignore[index]
    return q


def _int_fraction(value: Decimal) -> tuple[int, int]:
    """A Decimal as (numerator, power of ten denominator exponent), exactly."""
    sign, digits, exp = value.as_tuple()
    assert isinstance(exp, int)
    num = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    return (num * 10**exp, 0) if exp >= 0 else (num, -exp)


@dataclass(frozen=True, slots=True)
class Rule:
    """Restrictions reduced to comparisons; None fields do not restrict."""

    days: frozenset[int] | None
    window: tuple[int, int] | None  # seconds of the local day: [start, end), wraps if end <= start
    first_day: int | None  # date ordinals, end exclusive
    end_day: int | None
    min_s: int | None
    max_s: int | None
    min_wh: Decimal | None
    max_wh: Decimal | None
    min_kw: Decimal | None
    max_kw: Decimal | None
    min_a: Decimal | None
    max_a: Decimal | None

    def holds(
        self, local: tuple[int, int, int], elapsed: int, wh: Decimal, kw: Decimal, a: Decimal
    ) -> bool:
        """Whether the element is active; local is (weekday, second of day, date ordinal)."""
        weekday, second, ordinal = local
        if self.days is not None and weekday not in self.days:
            return False
        if self.window is not None:
            start, end = self.window
            inside = start <= second < end if start < end else (second >= start or second < end)
            if not inside:
                return False
        if (self.first_day is not None and ordinal < self.first_day) or (
            self.end_day is not None and ordinal >= self.end_day
        ):
            return False
        return (
            _within(elapsed, self.min_s, self.max_s)
            and _within(wh, self.min_wh, self.max_wh)
            and (_within(kw, self.min_kw, self.max_kw) and _within(a, self.min_a, self.max_a))
        )


def _within(value: int | Decimal, low: int | Decimal | None, high: int | Decimal | None) -> bool:
    """OCPI bounds: minimum inclusive, maximum exclusive."""
    return (low is None or value >= low) and (high is None or value < high)


def _window(r: Restrictions) -> tuple[int, int] | None:
    """start_time/end_time as seconds of the local day, or None."""
    if r.start_time is None and r.end_time is None:
        return None
    start = r.start_time or time(0, 0)
    end = r.end_time or time(0, 0)  # OCPI: "to stop at end of the day use 00:00"
    return start.hour * 3600 + start.minute * 60, end.hour * 3600 + end.minute * 60


def compile_rule(r: Restrictions) -> Rule | None:
    """Compiled restrictions, or None when the element is unrestricted (reservation aside)."""
    rule = Rule(
        days=r.day_of_week,
        window=_window(r),
        first_day=r.start_date.toordinal() if r.start_date else None,
        end_day=r.end_date.toordinal() if r.end_date else None,
        min_s=r.min_duration,
        max_s=r.max_duration,
        min_wh=r.min_kwh * 1000 if r.min_kwh is not None else None,
        max_wh=r.max_kwh * 1000 if r.max_kwh is not None else None,
        min_kw=r.min_power,
        max_kw=r.max_power,
        min_a=r.min_current,
        max_a=r.max_current,
    )
    return None if rule == _FREE else rule


_FREE = Rule(*([None] * 12))


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: a dict key on the hot path
class Component:
    """A price component with its money constants precomputed."""

    index: int  # the element's position in the tariff
    dim: Dimension
    price: Decimal
    vat: Decimal
    vat_scaled: int  # vat * 10**vat_digits of the tariff
    step: int
    num2: int  # amount in minor units = volume * num / den half-up = (v * num2 + den) // den2
    den: int
    den2: int
    minor_per_unit: Decimal  # price in minor units per Wh / metre (exact for /1000)
    label: str  # the line's description and component name in a charging session or rental
    name: str
    unit: str
    divisor: int
    vat_den: int
    # Lines by whole billed volume: a pure function of it, and sessions bill the same few
    # volumes over and over (whole minutes, steps), so a line is built once, not per session.
    memo: dict[int, Entry] = field(default_factory=dict)
    by_volume: dict[str, Entry] = field(default_factory=dict)  # energy/distance, str(volume)

    def entry(self, billed: int) -> Entry:
        """The line for a whole billed volume (seconds, Wh, metres), priced exactly."""
        found = self.memo.get(billed)
        if found is None:
            amount = (billed * self.num2 + self.den) // self.den2
            head = (self.label, self.name, quantity(billed, self.divisor), self.unit, self.price)
            keep = room(self.memo)
            found = entry((*head, amount), self.vat, self.vat_scaled, self.vat_den, kept=keep)
            if keep:
                self.memo[billed] = found
        return found

    def amount(self, volume: int | Decimal) -> int:
        """Exact price of a volume, rounded half-up once to minor units."""
        if self.dim is Dimension.FLAT:
            volume = 1
        if isinstance(volume, int):
            return (volume * self.num2 + self.den) // self.den2
        return to_minor_exact(volume * self.minor_per_unit)


def to_minor_exact(minor: Decimal) -> int:
    """A non-negative amount already in minor units, half-up to an integer."""
    return int(minor.quantize(_ONE, ROUND_HALF_UP))


Candidates = tuple[tuple["Rule | None", Component], ...]


@dataclass(frozen=True, slots=True)
class StaticPlan:
    """The fast path's view of a tariff whose prices never change within a session."""

    flat: Entry | None  # the FLAT line, ready made
    time: Component | None
    parking: Component | None
    energy: Component | None
    distance: Component | None
    # The tariff's one VAT rate (scaled) when all its components share it and it has no
    # min/max price: then the fast path does the daily cap and the VAT shares itself.
    one_rate: int | None


def _plan(static: dict[Dimension, Component] | None, one_rate: int | None) -> StaticPlan | None:
    """The fast path's plan for a tariff whose session prices never change, else None."""
    if static is None:
        return None
    flat = static.get(Dimension.FLAT)
    flat_entry = None
    if flat is not None:
        head = (flat.label, flat.name, _ONE, flat.unit, flat.price, flat.amount(1))
        flat_entry = entry(head, flat.vat, flat.vat_scaled, flat.vat_den, kept=True)
    return StaticPlan(
        flat=flat_entry,
        time=static.get(Dimension.TIME),
        parking=static.get(Dimension.PARKING_TIME),
        energy=static.get(Dimension.ENERGY),
        distance=static.get(Dimension.DISTANCE),
        one_rate=one_rate,
    )


@dataclass(frozen=True, slots=True)
class CompiledTariff:
    """Everything the engine needs, computed once per TariffSpec."""

    spec: TariffSpec
    currency: str
    code: str
    exp: int
    vat_den: int  # exact VAT (scaled) / vat_den = minor units
    vat_of_scaled: dict[int, Decimal]
    scaled_vat: dict[Decimal, int]  # the other way round
    fallback_vat: int  # scaled VAT of the tariff's first component (bounds on an empty session)
    scopes: dict[Reservation | None, dict[Dimension, Candidates]]
    static: dict[Dimension, Component] | None  # session prices never change: the fast path
    plan: StaticPlan | None
    clock_marks: tuple[int, ...]  # seconds of day where time rules may switch (empty: none)
    duration_marks: tuple[int, ...]
    wh_marks: tuple[Decimal, ...]
    min_minor: int | None
    max_minor: int | None
    min_incl_minor: int | None
    max_incl_minor: int | None
    cap: tuple[int, int] | None  # daily cap in minor units as numerator / denominator
    has_bounds: bool
    cap_vat: int | None  # the one VAT rate of the capped dimensions, if they share one
    majors: dict[int, Decimal] = field(default_factory=dict)  # memo of major()
    cap_entries: dict[tuple[int, int], Entry] = field(default_factory=dict)

    def major(self, minor: int) -> Decimal:
        """A minor-unit amount in major units (an adjustment line's unit price), memoised."""
        # Decimal construction and scaling cost more than the rest of a capped session's lines.
        found = self.majors.get(minor)
        if found is None:
            found = Decimal(minor).scaleb(-self.exp)
            if room(self.majors):
                self.majors[minor] = found
        return found

    def find(
        self, scope: Reservation | None, dim: Dimension, at: tuple[object, ...]
    ) -> Component | None:
        """First element carrying `dim` whose restrictions hold at `at` (Rule.holds args)."""
        for rule, comp in self.scopes[scope].get(dim, ()):
            if rule is None or rule.holds(*at):  # type: ignore[arg-type]
                return comp
        return None


def _component(index: int, c: PriceComponent, exp: int, vat_digits: int) -> Component:
    """A price component with its integer money constants."""
    num, digits = _int_fraction(c.price)
    divisor = DIVISOR[c.dimension]
    label, name = LABEL[c.dimension]
    return Component(
        index=index,
        dim=c.dimension,
        price=c.price,
        vat=c.vat,
        vat_scaled=int(c.vat.scaleb(vat_digits)),
        step=max(c.step_size, 1),
        num2=2 * num * 10**exp,
        den=divisor * 10**digits,
        den2=2 * divisor * 10**digits,
        minor_per_unit=c.price.scaleb(exp) / divisor,
        label=label,
        name=name,
        unit=UNIT[c.dimension],
        divisor=divisor,
        vat_den=100 * 10**vat_digits,
    )


def _scopes(
    spec: TariffSpec, comps: list[list[Component]]
) -> dict[Reservation | None, dict[Dimension, Candidates]]:
    """Candidates per dimension in lookup order, for the session and each reservation kind."""
    # An expired reservation looks at RESERVATION_EXPIRES elements first (OCPI note), then at
    # RESERVATION ones; a charging session only at elements without a reservation restriction.
    order = {
        None: (None,),
        Reservation.RESERVATION: (Reservation.RESERVATION,),
        Reservation.RESERVATION_EXPIRES: (
            Reservation.RESERVATION_EXPIRES,
            Reservation.RESERVATION,
        ),
    }
    scopes: dict[Reservation | None, dict[Dimension, Candidates]] = {}
    for scope, kinds in order.items():
        per_dim: dict[Dimension, list[tuple[Rule | None, Component]]] = {}
        for kind in kinds:
            for el, el_comps in zip(spec.elements, comps, strict=True):
                if el.restrictions.reservation is kind:
                    rule = compile_rule(el.restrictions)
                    for comp in el_comps:
                        per_dim.setdefault(comp.dim, []).append((rule, comp))
        scopes[scope] = {dim: tuple(c) for dim, c in per_dim.items()}
    return scopes


def _marks(spec: TariffSpec) -> tuple[tuple[int, ...], tuple[int, ...], tuple[Decimal, ...]]:
    """Seconds of day, elapsed seconds and Wh where some element may switch."""
    clock: set[int] = set()
    durations: set[int] = set()
    wh: set[Decimal] = set()
    for el in spec.elements:
        r = el.restrictions
        window = _window(r)
        if window is not None or r.day_of_week is not None or r.start_date or r.end_date:
            clock.update((0, *(window or ())))  # midnight: weekday and date change
        durations.update(v for v in (r.min_duration, r.max_duration) if v is not None)
        wh.update(v * 1000 for v in (r.min_kwh, r.max_kwh) if v is not None)
    return tuple(sorted(clock)), tuple(sorted(durations)), tuple(sorted(wh))


def _static(scope: dict[Dimension, Candidates]) -> dict[Dimension, Component] | None:
    """Each dimension's price when its first candidate is unrestricted, else None."""
    if any(cands[0][0] is not None for cands in scope.values()):
        return None
    return {dim: cands[0][1] for dim, cands in scope.items()}


def _minor(value: Decimal | None, currency: str) -> int | None:
    """An optional major-unit amount in minor units."""
    return None if value is None else to_minor(value, currency)


_CAPPABLE = (Dimension.TIME, Dimension.PARKING_TIME, Dimension.DISTANCE)


def _single(values: set[int]) -> int | None:
    """The only value of a set, else None."""
    return next(iter(values)) if len(values) == 1 else None


def _minor_fraction(value: Decimal, exp: int) -> tuple[int, int]:
    """A major-unit amount as an exact fraction of minor units."""
    num, digits = _int_fraction(value)
    return num * 10**exp, 10**digits


def _canonical_vat(comps: list[list[Component]]) -> list[list[Component]]:
    """Components whose equal rates ("20", "20.0") carry one Decimal, as invoices print it."""
    canonical = {c.vat_scaled: c.vat for cs in comps for c in cs}  # the last, as vat_of_scaled
    return [
        [replace(c, vat=canonical[c.vat_scaled], memo={}, by_volume={}) for c in cs] for cs in comps
    ]


def compiled(spec: TariffSpec) -> CompiledTariff:
    """The precomputed form of a tariff, built once per spec object and kept on it."""
    found: CompiledTariff | None = spec.__dict__.get("_compiled")
    if found is None:
        found = compile_tariff(spec)
        object.__setattr__(spec, "_compiled", found)  # a cache, not a field: frozen stays true
    return found


@lru_cache(maxsize=256)  # equal specs (e.g. rebuilt per request from one stored tariff) share it
def compile_tariff(spec: TariffSpec) -> CompiledTariff:
    """Precompute a tariff: money constants, lookup lists, cut marks, bounds in minor units."""
    exp = exponent(spec.currency)
    all_vats = [c.vat for el in spec.elements for c in el.components]
    vat_digits = max((_int_fraction(v)[1] for v in all_vats), default=0)
    comps = _canonical_vat(
        [
            [_component(i, c, exp, vat_digits) for c in el.components]
            for i, el in enumerate(spec.elements)
        ]
    )
    scopes = _scopes(spec, comps)
    clock, durations, wh = _marks(spec)
    flat = [c for cs in comps for c in cs]
    static = _static(scopes[None])
    one_rate = _single({c.vat_scaled for c in flat})
    bounds = [
        _minor(v, spec.currency)
        for v in (spec.min_price, spec.max_price, spec.min_price_incl_vat, spec.max_price_incl_vat)
    ]
    return CompiledTariff(
        spec=spec,
        currency=spec.currency,
        code=spec.code,
        exp=exp,
        vat_den=100 * 10**vat_digits,
        vat_of_scaled={c.vat_scaled: c.vat for c in flat},
        scaled_vat={c.vat: c.vat_scaled for c in flat},
        fallback_vat=flat[0].vat_scaled,
        scopes=scopes,
        static=static,
        plan=_plan(static, None if any(v is not None for v in bounds) else one_rate),
        clock_marks=clock,
        duration_marks=durations,
        wh_marks=wh,
        min_minor=bounds[0],
        max_minor=bounds[1],
        min_incl_minor=bounds[2],
        max_incl_minor=bounds[3],
        has_bounds=any(v is not None for v in bounds),
        cap=None if spec.daily_cap is None else _minor_fraction(spec.daily_cap, exp),
        cap_vat=_single({c.vat_scaled for c in flat if c.dim in _CAPPABLE}),
    )


# -- local wall-clock cuts -----------------------------------------------------------------------


def local_parts(t: int, tz: ZoneInfo) -> tuple[int, int, int]:
    """(weekday, second of the local day, local date ordinal) of a UTC epoch second."""
    local = datetime.fromtimestamp(t, tz)
    return local.weekday(), local.hour * 3600 + local.minute * 60 + local.second, local.toordinal()


def _epoch(day: date, second: int, tz: ZoneInfo, fold: int) -> int:
    """The UTC epoch second of a local wall time (fold picks the side of a DST change)."""
    wall = datetime.combine(day, time(second // 3600, second // 60 % 60), tzinfo=tz)
    return int(wall.replace(fold=fold).timestamp())


def _offset(t: int, tz: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset at an epoch second."""
    return datetime.fromtimestamp(t, UTC).astimezone(tz).utcoffset()


def _transition(lo: int, hi: int, tz: ZoneInfo) -> int | None:
    """The first second in (lo, hi] whose UTC offset differs from lo's, if any (bisection)."""
    before = _offset(lo, tz)
    if _offset(hi, tz) == before:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _offset(mid, tz) == before else (lo, mid)
    return hi


@lru_cache(maxsize=4096)
def day_cuts(tz: ZoneInfo, ordinal: int, marks: tuple[int, ...]) -> tuple[int, ...]:
    """UTC instants on a local date where a time-of-day rule may switch."""
    # Each mark is mapped with fold=0 and fold=1 (they differ on repeated and skipped wall times)
    # and the day's UTC-offset change is added, so a wall time skipped by a DST jump switches at
    # the jump itself. Extra cuts are harmless: every slice is evaluated on its own.
    day = date.fromordinal(ordinal)
    nxt = day + timedelta(days=1)
    cuts = {_epoch(day, m, tz, fold) for m in marks for fold in (0, 1)}
    cuts.update(_epoch(nxt, 0, tz, fold) for fold in (0, 1))
    jump = _transition(min(_epoch(day, 0, tz, f) for f in (0, 1)), max(cuts), tz)
    if jump is not None:
        cuts.add(jump)
    return tuple(sorted(cuts))


def next_clock_cut(t: int, ordinal: int, tz: ZoneInfo, marks: tuple[int, ...]) -> int:
    """The first instant after t (on local date `ordinal` or later) where time rules may switch."""
    while True:
        table = day_cuts(tz, ordinal, marks)
        i = bisect_right(table, t)
        if i < len(table):
            return table[i]
        ordinal += 1


__all__ = [
    "DIVISOR",
    "CompiledTariff",
    "Component",
    "Rule",
    "compile_rule",
    "compile_tariff",
    "day_cuts",
    "local_parts",
    "next_clock_cut",
]
