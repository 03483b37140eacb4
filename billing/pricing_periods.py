"""Sessions as periods for the pricing engine: rentals, charging sessions, metered charging.

PARKING_TIME (OCPI 2.2.1 CdrDimensionType, as corrected in the 2.2.1 errata): time during which
the vehicle is not requesting power; TIME is time charging. An EVSE that pauses delivery while the
vehicle still wants energy (smart charging, load balancing) is therefore charging TIME, never
parking. From meter samples we read it this way: parking is only the trailing stretch after the
last interval in which the vehicle charged (or, when the charger says so, requested power); any
pause followed by charging again is TIME. In a session that never charged, only readings that say
the vehicle is not requesting power (SuspendedEV, Finishing) count as parking: without such a
status we cannot tell a vehicle that stopped requesting from a charger that never delivered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, NamedTuple

from billing.tariffs import Reservation

_ZERO = Decimal(0)
_NO_OFFSET = timedelta(0)
_THOUSAND = Decimal(1000)
_tuple_new = tuple.__new__


class Period(NamedTuple):
    """A slice of a session with uniform activity (an OCPI ChargingPeriod); an immutable value.

    power_kw / current_a describe the charging power and current (sum over phases) during the
    period; without power the engine uses the average energy / duration, without current 0 A.
    A period with `reservation` set is reservation time, priced by reservation elements only.
    """

    start: datetime
    duration_s: int
    energy_wh: Decimal = _ZERO
    distance_m: Decimal = _ZERO
    parking: bool = False
    power_kw: Decimal | None = None
    current_a: Decimal | None = None
    reservation: Reservation | None = None


def period(
    start: datetime,
    duration_s: int,
    energy_wh: Decimal = _ZERO,
    distance_m: Decimal = _ZERO,
    parking: bool = False,
    power_kw: Decimal | None = None,
    current_a: Decimal | None = None,
) -> Period:
    """Period(...) for the hot path (no reservation)."""
    # tuple.__new__ directly: the generated NamedTuple constructor is a Python-level call.
    return _tuple_new(
        Period, (start, duration_s, energy_wh, distance_m, parking, power_kw, current_a, None)
    )


def _seconds(start: datetime, end: datetime) -> int:
    """Real elapsed whole seconds (Python subtracts two datetimes of one zone as wall clocks)."""
    delta = end - start
    zone = start.tzinfo
    if zone is not UTC and zone is not None and zone is end.tzinfo:
        delta -= (end.utcoffset() or _NO_OFFSET) - (start.utcoffset() or _NO_OFFSET)
    seconds = delta.days * 86400 + delta.seconds  # whole seconds, rounded down
    return seconds if seconds > 0 else 0


def rental_periods(
    start: datetime, end: datetime, distance_km: Decimal | None = None
) -> list[Period]:
    """A vehicle rental as one period (distance spread evenly over it)."""
    distance = distance_km * _THOUSAND if distance_km else _ZERO
    return [
        _tuple_new(Period, (start, _seconds(start, end), _ZERO, distance, False, None, None, None))
    ]


def charging_periods(
    start: datetime, stop: datetime, energy_wh: Decimal, charging_ended: datetime | None = None
) -> list[Period]:
    """A charging session without samples: charging with its energy, then idle time if known."""
    if charging_ended is None:  # no idle time known: one period
        return [
            _tuple_new(
                Period, (start, _seconds(start, stop), energy_wh, _ZERO, False, None, None, None)
            )
        ]
    end_charge = min(max(charging_ended, start), stop)
    periods = [period(start, _seconds(start, end_charge), energy_wh)]
    idle = _seconds(end_charge, stop)
    if idle > 0:
        periods.append(period(end_charge, idle, parking=True))
    return periods


class Sample(NamedTuple):
    """One meter reading: OCPP MeterValues (and, when known, whether the vehicle requests power:
    Charging / SuspendedEVSE -> True, SuspendedEV / Finishing -> False)."""

    at: datetime
    energy_wh: Decimal | None = None  # Energy.Active.Import.Register
    power_w: Decimal | None = None  # Power.Active.Import
    current_a: Decimal | None = None  # Current.Import, summed over phases
    requesting: bool | None = None


def _timeline(
    start: datetime, stop: datetime, samples: Iterable[Sequence[object]]
) -> tuple[list[int], list[Sample | None]]:
    """Interval bounds in seconds from start, and the reading that opens each interval."""
    inner: dict[int, Sample] = {}
    opening: Sample | None = None
    total = _seconds(start, stop)
    for raw in sorted((Sample(*s) for s in samples), key=lambda s: s.at):  # type: ignore[arg-type]
        offset = _seconds(start, raw.at)
        if offset == 0:
            opening = raw
        elif offset < total:
            inner[offset] = raw
    bounds = [0, *inner, total] if total else [0, 0]
    return bounds, [opening, *inner.values()]


def _idle(s: Sample | None) -> bool:
    """Known not to draw power at this reading."""
    return s is not None and (s.requesting is False or (s.power_w is not None and s.power_w <= 0))


def _weights(bounds: list[int], reads: list[Sample | None], a: int, b: int) -> list[Decimal]:
    """Weights to spread a register delta over intervals a..b-1 without registers of their own."""
    # By power x time when every reading has a power, else by time over the intervals not known
    # to be idle, else by time.
    spans = [Decimal(bounds[j + 1] - bounds[j]) for j in range(a, b)]
    powers = [r.power_w if r is not None else None for r in reads[a:b]]
    if all(p is not None for p in powers):
        by_power = [max(p, _ZERO) * dt for p, dt in zip(powers, spans, strict=True)]  # type: ignore[type-var, operator]
        if sum(by_power):
            return by_power
    active = [dt if not _idle(r) else _ZERO for r, dt in zip(reads[a:b], spans, strict=True)]
    return active if sum(active) else (spans if sum(spans) else [Decimal(1)] * len(spans))


def _energies(
    bounds: list[int], reads: list[Sample | None], meter_start: Decimal, meter_stop: Decimal
) -> list[Decimal]:
    """Energy per interval from register deltas between the readings that have a register."""
    n = len(reads)
    registers = [meter_start, *(r.energy_wh if r else None for r in reads[1:]), meter_stop]
    known = [j for j, v in enumerate(registers) if v is not None]
    out = [_ZERO] * n
    for a, b in pairwise(known):
        delta = max(registers[b] - registers[a], _ZERO)  # type: ignore[operator]
        if b == a + 1:  # a register at both ends: nothing to spread
            out[a] = delta
            continue
        weights = _weights(bounds, reads, a, b)
        total, given = sum(weights), _ZERO
        for j, w in zip(range(a, b), weights, strict=True):
            out[j] = delta - given if j == b - 1 else delta * w / total
            given += out[j]
    return out


def _charging(r: Sample | None, energy: Decimal) -> bool:
    """Charging: the vehicle requests or draws power, or (no power reading) energy flowed."""
    if r is not None and r.requesting:
        return True
    if _idle(r):
        return False
    return (r is not None and r.power_w is not None) or energy > 0


def charging_periods_from_samples(
    start: datetime,
    stop: datetime,
    samples: Iterable[Sequence[object]],
    meter_start_wh: Decimal,
    meter_stop_wh: Decimal,
) -> list[Period]:
    """Periods between meter samples; parking only after the last charging (module docstring)."""
    # samples: Sample or (at, energy_wh, power_w, current_a[, requesting]) tuples. Energy comes
    # from register deltas; power (held until the next sample) and current feed restrictions.
    bounds, reads = _timeline(start, stop, samples)
    energies = _energies(bounds, reads, meter_start_wh, meter_stop_wh)
    charged = [j for j, (r, e) in enumerate(zip(reads, energies, strict=True)) if _charging(r, e)]
    if not charged:  # parking only where the charger said the vehicle requests nothing
        charged = [j for j, r in enumerate(reads) if r is None or r.requesting is not False]
    last = charged[-1] if charged else -1
    origin = start.astimezone(UTC)  # offsets are real seconds: add them in UTC
    return [
        period(
            origin + timedelta(seconds=bounds[j]),
            bounds[j + 1] - bounds[j],
            e,
            parking=j > last,
            power_kw=r.power_w / 1000 if r is not None and r.power_w is not None else None,
            current_a=r.current_a if r is not None else None,
        )
        for j, (r, e) in enumerate(zip(reads, energies, strict=True))
    ]


ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
CURRENT = "Current.Import"
# Connector states that say whether the vehicle asks for power (OCPI PARKING_TIME).
_PHASES = ("L1", "L2", "L3", "L1-N", "L2-N", "L3-N")
_REQUESTING = {"Charging": True, "SuspendedEVSE": True, "SuspendedEV": False, "Finishing": False}


def meter_samples(
    readings: Iterable[tuple[datetime, str, str | None, Decimal]],
    statuses: Iterable[tuple[datetime, str]] = (),
) -> list[Sample]:
    """Samples from stored readings (normalised Wh, W, A) and connector statuses, in time order.

    Readings at one instant form one sample; phase currents are summed; a phase-less current
    counts as the total.
    """
    at_time: dict[datetime, dict[str, Any]] = {}
    for at, measurand, phase, value in readings:
        fields = at_time.setdefault(at, {})
        if measurand == ENERGY_REGISTER and phase is None:
            fields["energy_wh"] = value
        elif measurand == POWER and phase is None:
            fields["power_w"] = value
        elif measurand == CURRENT and (phase is None or phase in _PHASES):
            key = "current_total" if phase is None else "current_phases"
            fields[key] = fields.get(key, Decimal(0)) + value
    for at, status in statuses:
        if status in _REQUESTING:
            at_time.setdefault(at, {})["requesting"] = _REQUESTING[status]
    return [_sample(at, fields) for at, fields in sorted(at_time.items())]


def _sample(at: datetime, fields: dict[str, Any]) -> Sample:
    current = fields.get("current_total", fields.get("current_phases"))
    return Sample(
        at, fields.get("energy_wh"), fields.get("power_w"), current, fields.get("requesting")
    )
