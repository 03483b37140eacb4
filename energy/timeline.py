"""Turn a site's cars, bookings and sessions into slot-indexed loads with deadlines.

Both the LP and the greedy planner read this form, so they agree on what is asked. All
energies here are grid-side kWh drawn since slot 0 (battery energy / charging efficiency).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

from energy.model import (
    SLOT,
    SLOT_H,
    Booking,
    Connector,
    PlannerConfig,
    Problem,
    PublicSession,
    Site,
    Trip,
    Vehicle,
    slot_ceil,
    slot_floor,
)

THREE_PHASE = (1 / 3, 1 / 3, 1 / 3)


@dataclass(frozen=True)
class Deadline:
    """Grid kWh a load must have drawn before slot `slot`; each kWh short costs `weight`."""

    slot: int
    need_kwh: float
    ref: str  # booking or session id
    weight: float
    kind: str = "booking"  # or "session", or "standby" (a car ready for walk-up bookings)


@dataclass(frozen=True)
class Load:
    """One car or public session at a site, seen slot by slot."""

    id: str
    kind: str  # "vehicle" or "session"
    connector_id: str
    max_kw: tuple[float, ...]  # per slot; 0 while the car is away or the session absent
    shares: tuple[float, float, float]  # share of its power on phases L1, L2, L3
    deadlines: tuple[Deadline, ...]  # only those that still need energy
    caps: tuple[tuple[int, float], ...]  # (slot, most grid kWh drawn before it)
    efficiency: float = 1.0


@dataclass(frozen=True)
class Departure:
    """A booking's departure as the plan sees it (delayed if the car is not back yet)."""

    booking_id: str
    at: datetime
    slot: int
    target_soc: float
    used_before_kwh: float  # trips' energy between slot 0 and this departure


@dataclass(frozen=True)
class VehicleTimeline:
    """A car's trips and departures, for outcomes and the SoC-at-time helper."""

    vehicle: Vehicle
    load: int  # index into SiteModel.loads
    kwh_now: float  # battery energy available from slot 0 (after a trip in progress)
    departures: tuple[Departure, ...]
    trips: tuple[Trip, ...]


@dataclass(frozen=True)
class SiteModel:
    """One site over the horizon: per-slot price, PV and limit, and its loads."""

    site: Site
    start: datetime
    slots: int
    price: tuple[float, ...]
    pv: tuple[float, ...]
    limit: tuple[float, ...]
    phase_kw: float | None  # per-phase limit, when a single-phase load makes it bind apart
    loads: tuple[Load, ...]
    vehicles: tuple[VehicleTimeline, ...]
    sessions: tuple[tuple[PublicSession, int, float], ...]  # (session, load index, request)


def trip_kwh(vehicle: Vehicle, booking: Booking, config: PlannerConfig) -> float:
    """Energy a trip is expected to take: known, or distance x consumption plus a margin."""
    if booking.energy_kwh is not None:
        return booking.energy_kwh
    km = config.default_trip_km if booking.distance_km is None else booking.distance_km
    return km * vehicle.consumption_kwh_per_100km / 100 * (1 + config.safety_margin)


def target_soc(vehicle: Vehicle, booking: Booking, config: PlannerConfig) -> float:
    """SoC the car should leave with: the trip plus a reserve, unless the booking sets one."""
    if booking.target_soc is not None:
        return min(max(booking.target_soc, 0.0), 1.0)
    need = config.reserve_soc + trip_kwh(vehicle, booking, config) / vehicle.capacity_kwh
    return min(1.0, need)


def site_model(problem: Problem, site: Site, config: PlannerConfig) -> SiteModel:
    """Build the slot-indexed model of one site."""
    start, slots = problem.start, config.slots
    connectors = {c.id: c for c in site.connectors}
    loads: list[Load] = []
    vehicles = []
    books_of: dict[str, list[Booking]] = {}
    for booking in problem.bookings:
        books_of.setdefault(booking.vehicle_id, []).append(booking)
    for vehicle in (v for v in problem.vehicles if v.site_id == site.id):
        books = books_of.get(vehicle.id, [])
        connector = _connector(connectors, vehicle)
        load, timeline = _vehicle(vehicle, books, connector, problem, config, len(loads))
        vehicles.append(timeline)
        loads.append(load)
    sessions = []
    for session in (s for s in problem.sessions if s.site_id == site.id):
        load, request = _session(session, _connector(connectors, session), start, slots, config)
        sessions.append((session, len(loads), request))
        loads.append(load)
    _check_connectors(loads, slots)
    limit, phase_kw = _limits(site, loads, start, slots)
    pv = site.pv_kw.window(start, slots, fill=0.0) if site.pv_kw else [0.0] * slots
    return SiteModel(
        site=site,
        start=start,
        slots=slots,
        price=tuple(site.price.window(start, slots)),
        pv=tuple(max(0.0, x) for x in pv),
        limit=tuple(limit),
        phase_kw=phase_kw,
        loads=tuple(loads),
        vehicles=tuple(vehicles),
        sessions=tuple(sessions),
    )


def _limits(
    site: Site, loads: list[Load], start: datetime, slots: int
) -> tuple[list[float], float | None]:
    """The site limit per slot, and the per-phase limit if single-phase loads need it."""
    grid = max(0.0, site.grid_limit_kw)
    limit = [grid] * slots
    if site.limit_kw is not None:
        limit = [max(0.0, min(grid, x)) for x in site.limit_kw.window(start, slots, fill=grid)]
    if site.phase_limit_a is None:
        return limit, None
    phase_kw = site.phase_limit_a * site.voltage_v / 1000
    if all(load.shares == THREE_PHASE for load in loads):
        # balanced loads: the per-phase limit is just a total limit of three times it
        return [min(x, 3 * phase_kw) for x in limit], None
    return limit, phase_kw


def _connector(connectors: dict[str, Connector], item: Vehicle | PublicSession) -> Connector:
    try:
        return connectors[item.connector_id]
    except KeyError:
        raise ValueError(f"{item.id}: no connector {item.connector_id!r} at its site") from None


def _shares(connector: Connector) -> tuple[float, float, float]:
    if connector.phases == 3:
        return THREE_PHASE
    if connector.line not in (1, 2, 3):
        raise ValueError(f"connector {connector.id}: line must be 1, 2 or 3")
    one_hot = [0.0, 0.0, 0.0]
    one_hot[connector.line - 1] = 1.0
    return (one_hot[0], one_hot[1], one_hot[2])


def _vehicle(
    vehicle: Vehicle,
    bookings: Iterable[Booking],
    connector: Connector,
    problem: Problem,
    config: PlannerConfig,
    index: int,
) -> tuple[Load, VehicleTimeline]:
    """A car's availability, departures, targets and battery caps over the horizon."""
    kwh = min(max(vehicle.soc, 0.0), 1.0) * vehicle.capacity_kwh
    ordered = sorted(bookings, key=lambda b: b.start)
    back, trips, future = _current_trip(vehicle, ordered, problem, config)
    if trips:  # a trip in progress cannot take more than the battery had
        trips[0] = replace(trips[0], kwh=min(kwh, trips[0].kwh))
        kwh -= trips[0].kwh
    hi = min(vehicle.max_kw, connector.max_kw)
    chain = _Chain(vehicle, hi, problem.start, config, kwh, back, trips=trips)
    for booking in future:
        at = max(booking.start, chain.back)
        d = slot_floor(problem.start, at)
        if d > config.slots:  # leaves after the horizon (right at its end still counts)
            break
        chain.plugged_until(max(d, 0))
        chain.leave(booking, at, max(d, 0))
    chain.plugged_until(config.slots)
    chain.caps.append((config.slots, chain.headroom()))
    load = Load(
        id=vehicle.id,
        kind="vehicle",
        connector_id=connector.id,
        max_kw=tuple(chain.max_kw),
        shares=_shares(connector),
        deadlines=tuple(chain.deadlines),
        caps=tuple(chain.caps),
        efficiency=vehicle.efficiency,
    )
    timeline = VehicleTimeline(vehicle, index, kwh, tuple(chain.departures), tuple(chain.trips))
    return load, timeline


@dataclass
class _Chain:
    """Walks a car's bookings in order, collecting its windows, deadlines and caps."""

    vehicle: Vehicle
    hi: float  # kW on its connector
    start: datetime
    config: PlannerConfig
    kwh: float  # battery energy from slot 0 on
    back: datetime  # expected on its connector from
    used: float = 0.0  # trips' energy so far
    max_kw: list[float] = field(default_factory=list)
    departures: list[Departure] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    caps: list[tuple[int, float]] = field(default_factory=list)
    trips: list[Trip] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.max_kw = [0.0] * self.config.slots

    def headroom(self) -> float:
        """Grid kWh that still fit in the battery at this point of the chain."""
        return (self.vehicle.capacity_kwh - self.kwh + self.used) / self.vehicle.efficiency

    def plugged_until(self, d: int) -> None:
        """On its connector from its return to slot d (plus the standby target there)."""
        plugged = _clamp(slot_ceil(self.start, self.back), self.config.slots)
        _mark(self.max_kw, plugged, d, self.hi)
        self.deadlines += _standby(self.vehicle, plugged, d, self.kwh - self.used, self.config)

    def leave(self, booking: Booking, at: datetime, d: int) -> None:
        """Departure at slot d: its target, the battery cap, then the trip."""
        vehicle, config = self.vehicle, self.config
        target = target_soc(vehicle, booking, config)
        self.departures.append(Departure(booking.id, at, d, target, self.used))
        need = (target * vehicle.capacity_kwh - self.kwh + self.used) / vehicle.efficiency
        if need > 0:
            # earlier departures weigh up to twice as much: later ones may still be rescued
            weight = config.shortfall_eur_kwh * vehicle.efficiency * (2 - d / config.slots)
            self.deadlines.append(Deadline(d, need, booking.id, weight))
        self.caps.append((d, self.headroom()))
        self.back = max(booking.end + config.return_margin, at)
        self.trips.append(Trip(booking.id, at, self.back, trip_kwh(vehicle, booking, config)))
        self.used += self.trips[-1].kwh


def _standby(
    vehicle: Vehicle, plugged: int, leaves: int, kwh: float, config: PlannerConfig
) -> list[Deadline]:
    """A soft target: back on its bay, a car reaches the standby SoC within a while, so a
    booking made at short notice finds it charged (off when standby_soc is 0)."""
    if config.standby_soc <= 0:
        return []
    due = min(plugged + config.standby_within // SLOT, leaves)
    need = (config.standby_soc * vehicle.capacity_kwh - kwh) / vehicle.efficiency
    if due <= plugged or due >= leaves or need <= 0:
        return []  # not plugged in, or the departure's own target comes first
    weight = config.standby_eur_kwh * vehicle.efficiency
    return [Deadline(due, need, f"standby {vehicle.id}", weight, "standby")]


def _current_trip(
    vehicle: Vehicle, bookings: list[Booking], problem: Problem, config: PlannerConfig
) -> tuple[datetime, list[Trip], list[Booking]]:
    """When the car is (expected) on its connector, its trip in progress, bookings still ahead.

    A car away past its booking's end is assumed back `late_grace` from now; a car still
    plugged in after its booking started is assumed to leave `late_grace` from now.
    """
    now, grace = problem.start, config.late_grace
    horizon_end = now + SLOT * config.slots
    started = [b for b in bookings if b.start <= now]
    ahead = [b for b in bookings if now < b.start <= horizon_end]
    if vehicle.plugged_in:
        pending = [b for b in started if b.end > now][-1:]
        # picked up late: it still leaves, soon
        return now, [], [replace(b, start=now + grace) for b in pending] + ahead
    if not started:
        return now + grace, [], ahead
    current = started[-1]
    back = max(current.end + config.return_margin, now + grace)
    trip = Trip(current.id, current.start, back, trip_kwh(vehicle, current, config))
    return back, [trip], ahead


def _session(
    session: PublicSession, connector: Connector, start: datetime, slots: int, config: PlannerConfig
) -> tuple[Load, float]:
    """A public session: present from arrival to departure, asking for its energy."""
    a = _clamp(slot_ceil(start, session.arrival), slots)
    d = slots if session.departure is None else _clamp(slot_floor(start, session.departure), slots)
    hi = min(session.max_kw, connector.max_kw)
    max_kw = [0.0] * slots
    _mark(max_kw, a, d, hi)
    full = hi * max(0, d - a) * SLOT_H
    request = full if session.energy_kwh is None else max(0.0, session.energy_kwh)
    weight = config.public_unmet_eur_kwh
    deadlines = (Deadline(d, request, session.id, weight, "session"),) if request > 0 else ()
    load = Load(
        id=session.id,
        kind="session",
        connector_id=connector.id,
        max_kw=tuple(max_kw),
        shares=_shares(connector),
        deadlines=deadlines,
        caps=((d, request),),
    )
    return load, request


def _check_connectors(loads: list[Load], slots: int) -> None:
    """One load per connector at a time: a car's bay is its own, sessions follow each other."""
    on: dict[str, list[Load]] = {}
    for load in loads:
        on.setdefault(load.connector_id, []).append(load)
    for connector_id, sharing in on.items():
        for t in range(slots if len(sharing) > 1 else 0):
            present = [load.id for load in sharing if load.max_kw[t] > 0]
            if len(present) > 1:
                raise ValueError(f"connector {connector_id}: {' and '.join(present)} overlap")


def _mark(max_kw: list[float], a: int, d: int, kw: float) -> None:
    for t in range(a, d):
        max_kw[t] = kw


def _clamp(slot: int, slots: int) -> int:
    return min(max(slot, 0), slots)
