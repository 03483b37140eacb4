"""Planner inputs and outputs: plain frozen dataclasses (aware UTC times, kW, kWh, EUR)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

SLOT = timedelta(minutes=15)
SLOT_H = 0.25  # hours per slot: kW * SLOT_H = kWh


def slot_floor(start: datetime, at: datetime) -> int:
    """Index of the slot containing `at` (may be negative or past the horizon)."""
    return (at - start) // SLOT


def slot_ceil(start: datetime, at: datetime) -> int:
    """Index of the first slot starting at or after `at`."""
    return -((start - at) // SLOT)


@dataclass(frozen=True)
class Series:
    """A value per 15-minute slot from `start`: EUR/kWh prices, PV kW, dynamic limits kW."""

    start: datetime
    values: tuple[float, ...]

    def window(self, start: datetime, slots: int, fill: float | None = None) -> list[float]:
        """`slots` values from `start`; outside the series `fill`, or the nearest value if None."""
        offset = slot_floor(self.start, start)
        out = []
        for i in range(offset, offset + slots):
            if 0 <= i < len(self.values):
                out.append(self.values[i])
            elif fill is not None or not self.values:
                out.append(0.0 if fill is None else fill)
            else:
                out.append(self.values[0] if i < 0 else self.values[-1])
        return out


@dataclass(frozen=True)
class Connector:
    """A charging point: max power, three-phase or single-phase on `line` (1..3)."""

    id: str
    max_kw: float
    phases: int = 3
    line: int = 1


@dataclass(frozen=True)
class Site:
    """A hub: grid connection, tariff, PV forecast and its connectors."""

    id: str
    grid_limit_kw: float
    connectors: tuple[Connector, ...]
    price: Series  # EUR/kWh imported, per slot (time-of-use or day-ahead)
    pv_kw: Series | None = None  # forecast average PV power per slot
    limit_kw: Series | None = None  # dynamic limit per slot (the lower of it and the grid wins)
    phase_limit_a: float | None = None  # per-phase current limit of the connection
    voltage_v: float = 230.0


@dataclass(frozen=True)
class Vehicle:
    """A shared car with its home connector; `soc` is the last known state of charge (0..1)."""

    id: str
    site_id: str
    connector_id: str
    capacity_kwh: float
    consumption_kwh_per_100km: float
    soc: float
    max_kw: float
    plugged_in: bool = True  # False: on a trip (or late); back at its booking's end
    efficiency: float = 1.0  # battery kWh per grid kWh


@dataclass(frozen=True)
class Booking:
    """A car's booked trip: leaves at `start`, back at `end` (expected)."""

    id: str
    vehicle_id: str
    start: datetime
    end: datetime
    distance_km: float | None = None  # expected; None: the configured average trip
    energy_kwh: float | None = None  # known trip energy: overrides the distance estimate
    target_soc: float | None = None  # explicit target: overrides the computed one


@dataclass(frozen=True)
class PublicSession:
    """A citizen's charging session on a public connector of a site."""

    id: str
    site_id: str
    connector_id: str
    arrival: datetime
    departure: datetime | None = None  # expected; None: stays past the horizon
    energy_kwh: float | None = None  # still requested; None: as much as it can take
    max_kw: float = 22.0


@dataclass(frozen=True)
class Problem:
    """Everything the planner looks at, as of `start` (the first slot)."""

    start: datetime
    sites: tuple[Site, ...]
    vehicles: tuple[Vehicle, ...] = ()
    bookings: tuple[Booking, ...] = ()
    sessions: tuple[PublicSession, ...] = ()

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("Problem.start must be timezone-aware")

    def site(self, site_id: str) -> Site:
        """The site with this id."""
        for site in self.sites:
            if site.id == site_id:
                return site
        raise KeyError(site_id)

    def for_site(self, site_id: str) -> Problem:
        """The same problem restricted to one site (sites are planned independently)."""
        vehicles = tuple(v for v in self.vehicles if v.site_id == site_id)
        ids = {v.id for v in vehicles}
        return replace(
            self,
            sites=(self.site(site_id),),
            vehicles=vehicles,
            bookings=tuple(b for b in self.bookings if b.vehicle_id in ids),
            sessions=tuple(s for s in self.sessions if s.site_id == site_id),
        )


@dataclass(frozen=True)
class PlannerConfig:
    """Tunables: trip estimate, horizon, solver, and the objective's weights (EUR)."""

    slots: int = 96  # 24 h of 15-minute slots; 192 for 48 h
    default_trip_km: float = 40.0  # when a booking has no expected distance
    safety_margin: float = 0.15  # extra trip energy on top of the estimate
    reserve_soc: float = 0.10  # SoC a car should still have when it returns
    late_grace: timedelta = timedelta(minutes=15)  # an overdue car: assumed back this soon
    return_margin: timedelta = timedelta(0)  # plan cars back this much after their booking ends
    use_solver: bool = True  # False: the greedy planner only
    time_limit_s: float = 5.0  # per site; over it the greedy plan is used
    workers: int = 1  # sites solved in parallel threads (HiGHS releases the GIL)
    standby_soc: float = 0.0  # soft: a car back on its bay reaches this SoC ...
    standby_within: timedelta = timedelta(hours=2)  # ... this soon (unless it leaves first)
    standby_eur_kwh: float = 1.0  # per kWh below standby: above any price, below the rest
    shortfall_eur_kwh: float = 1000.0  # a booking short of its target
    public_unmet_eur_kwh: float = 5.0  # first third of a session's request; x2, x3 after
    peak_eur_kw: float = 0.005  # highest grid import: a tie-break that smooths peaks
    pv_store_eur_kwh: float = 0.002  # reward for energy put into cars: soaks up PV surplus
    earlier_eur_kwh_slot: float = 1e-5  # per slot of delay: among equal prices, charge early


class Reason(StrEnum):
    """Why a connector gets the power it gets in a slot."""

    CHEAPEST = "charging in the cheapest slots before the deadline"
    PV = "charging from the PV surplus"
    SITE_LIMIT = "held back by the site limit"
    SHORT = "at full power, the deadline will still be short"
    PUBLIC = "public session, fair share of its request"
    WAITING = "waiting for cheaper or greener slots"
    DONE = "nothing needed before the next deadline"
    AWAY = "car away on a trip"
    FREE = "nothing plugged in"


@dataclass(frozen=True)
class Segment:
    """A run of slots at one power, with why: maps onto an OCPP charging-schedule period."""

    start: datetime
    end: datetime
    kw: float
    reason: Reason
    serves: str | None = None  # the booking or session id the energy is for


@dataclass(frozen=True)
class ConnectorPlan:
    """Power per slot for one connector, and the same as segments with reasons."""

    connector_id: str
    site_id: str
    kw: tuple[float, ...]
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Trip:
    """A trip in a vehicle's expected timeline."""

    booking_id: str
    start: datetime
    end: datetime
    kwh: float


@dataclass(frozen=True)
class VehiclePlan:
    """One car's planned charging and trips: enough to tell its SoC at any time."""

    vehicle_id: str
    site_id: str
    connector_id: str
    start: datetime  # slot 0 of `kw`
    capacity_kwh: float
    efficiency: float
    start_kwh: float  # energy in the battery at the horizon start (before any trip in progress)
    kw: tuple[float, ...]
    trips: tuple[Trip, ...]


@dataclass(frozen=True)
class BookingOutcome:
    """What a booking can expect: SoC at departure against its target."""

    booking_id: str
    vehicle_id: str
    departure: datetime
    target_soc: float
    expected_soc: float
    shortfall_kwh: float  # battery energy missing at departure; 0 when the target is met

    @property
    def short(self) -> bool:
        """True when the car is expected to leave below target (1 Wh tolerance)."""
        return self.shortfall_kwh > 1e-3


@dataclass(frozen=True)
class SessionOutcome:
    """What a public session is planned to get against its request."""

    session_id: str
    connector_id: str
    requested_kwh: float
    planned_kwh: float

    @property
    def unmet_kwh(self) -> float:
        """Requested energy the plan does not deliver before departure."""
        return max(0.0, self.requested_kwh - self.planned_kwh)


@dataclass(frozen=True)
class BookingCheck:
    """Whether one more booking can be served, and what it would cost the others."""

    booking_id: str
    ok: bool  # meets its target and no other booking gets short because of it
    target_soc: float
    expected_soc: float  # at its departure, under the plan that includes it
    shortfall_kwh: float
    newly_short: tuple[str, ...]  # other bookings that would leave below target


@dataclass(frozen=True)
class SitePlan:
    """One site's plan: which method made it, the schedules, the outcomes and site totals."""

    site_id: str
    start: datetime  # slot 0 of every per-slot tuple below (a re-planned site starts later)
    method: str  # "lp" or "greedy"
    note: str  # why the greedy was used, or the solver status
    load_kw: tuple[float, ...]
    limit_kw: tuple[float, ...]
    grid_kw: tuple[float, ...]  # import after PV (forecast)
    cost_eur: float  # forecast energy cost of the plan
    connectors: tuple[ConnectorPlan, ...]
    vehicles: tuple[VehiclePlan, ...]
    bookings: tuple[BookingOutcome, ...]
    sessions: tuple[SessionOutcome, ...]


@dataclass(frozen=True)
class Plan:
    """Plans for all sites, in 15-minute slots from `start` (each site keeps its own start)."""

    start: datetime
    slots: int
    sites: tuple[SitePlan, ...] = field(default_factory=tuple)

    @property
    def connectors(self) -> tuple[ConnectorPlan, ...]:
        """Every connector's schedule."""
        return tuple(c for s in self.sites for c in s.connectors)

    @property
    def bookings(self) -> tuple[BookingOutcome, ...]:
        """Every booking's expected outcome."""
        return tuple(b for s in self.sites for b in s.bookings)

    @property
    def short_bookings(self) -> tuple[BookingOutcome, ...]:
        """Bookings expected to depart below target: warn the operator and the booker."""
        return tuple(b for b in self.bookings if b.short)

    @property
    def sessions(self) -> tuple[SessionOutcome, ...]:
        """Every public session's planned energy."""
        return tuple(x for s in self.sites for x in s.sessions)

    def site(self, site_id: str) -> SitePlan:
        """The plan of one site."""
        for s in self.sites:
            if s.site_id == site_id:
                return s
        raise KeyError(site_id)

    def vehicle(self, vehicle_id: str) -> VehiclePlan:
        """The plan of one car."""
        for s in self.sites:
            for v in s.vehicles:
                if v.vehicle_id == vehicle_id:
                    return v
        raise KeyError(vehicle_id)

    def with_site(self, site_plan: SitePlan) -> Plan:
        """This plan with one site replaced by a fresh plan of it (after a re-plan)."""
        rest = tuple(s for s in self.sites if s.site_id != site_plan.site_id)
        return replace(self, sites=(*rest, site_plan))
