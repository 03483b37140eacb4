"""The booking-aware smart-charging planner: pure functions from a Problem to a Plan.

Per site: build the slot-indexed model (energy.timeline), solve the LP (energy.lp) or, when
the solver is disabled, missing, failing or too slow, the greedy plan (energy.greedy); clip
to the hard limits (energy.limits); then explain and summarise it (energy.outcomes).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime

from energy import greedy, lp
from energy.limits import within_limits
from energy.model import (
    SLOT,
    SLOT_H,
    Booking,
    BookingCheck,
    Plan,
    PlannerConfig,
    Problem,
    PublicSession,
    SitePlan,
    Vehicle,
    VehiclePlan,
    slot_ceil,
)
from energy.outcomes import site_plan
from energy.timeline import SiteModel, site_model

DEFAULT = PlannerConfig()


def plan(problem: Problem, config: PlannerConfig = DEFAULT) -> Plan:
    """Plan every site of the problem; sites share nothing, so each is solved on its own."""
    parts = _by_site(problem)
    if config.workers > 1 and len(parts) > 1:
        with ThreadPoolExecutor(config.workers) as pool:
            sites = tuple(pool.map(lambda part: plan_site(part, part.sites[0].id, config), parts))
    else:
        sites = tuple(plan_site(part, part.sites[0].id, config) for part in parts)
    return Plan(problem.start, config.slots, sites)


def _by_site(problem: Problem) -> list[Problem]:
    """One sub-problem per site, in one pass over the cars, bookings and sessions."""
    site_of = {v.id: v.site_id for v in problem.vehicles}
    groups: dict[str, tuple[list[Vehicle], list[Booking], list[PublicSession]]] = {
        site.id: ([], [], []) for site in problem.sites
    }
    for vehicle in problem.vehicles:
        groups[vehicle.site_id][0].append(vehicle)
    for booking in problem.bookings:
        if booking.vehicle_id in site_of:
            groups[site_of[booking.vehicle_id]][1].append(booking)
    for session in problem.sessions:
        groups[session.site_id][2].append(session)
    parts = []
    for site in problem.sites:
        cars, books, visits = groups[site.id]
        parts.append(Problem(problem.start, (site,), tuple(cars), tuple(books), tuple(visits)))
    return parts


def plan_site(problem: Problem, site_id: str, config: PlannerConfig = DEFAULT) -> SitePlan:
    """Plan one site (re-plan a hub after an event, merge with Plan.with_site)."""
    model = site_model(problem, problem.site(site_id), config)
    powers, method, note = _powers(model, config)
    return site_plan(model, within_limits(model, powers), method, note)


def _powers(model: SiteModel, config: PlannerConfig) -> tuple[list[list[float]], str, str]:
    """The LP's powers, or the greedy's with the reason the LP was not used."""
    if not config.use_solver:
        note = "solver disabled"
    else:
        powers, note = lp.solve(model, config)
        if powers is not None:
            return powers, "lp", note
    return greedy.plan(model, config), "greedy", note


def expected_soc(plan: Plan, vehicle_id: str, at: datetime) -> float:
    """A car's expected SoC (0..1) at `at` under the plan: "80% at 14:00"."""
    return soc_at(plan.vehicle(vehicle_id), at)


def soc_at(vehicle: VehiclePlan, at: datetime) -> float:
    """SoC of a planned car at `at`: charging slot by slot, trips drain it linearly."""
    if at < vehicle.start:
        raise ValueError("the plan starts after that time")
    slots = (at - vehicle.start) / SLOT
    whole = min(int(slots), len(vehicle.kw))
    drawn = sum(vehicle.kw[:whole])
    if whole < len(vehicle.kw):
        drawn += vehicle.kw[whole] * (slots - whole)
    kwh = vehicle.start_kwh + vehicle.efficiency * drawn * SLOT_H
    for trip in vehicle.trips:
        if at >= trip.end:
            kwh -= trip.kwh
        elif at > trip.start:
            kwh -= trip.kwh * ((at - trip.start) / (trip.end - trip.start))
    return min(max(kwh / vehicle.capacity_kwh, 0.0), 1.0)


def can_serve(problem: Problem, booking: Booking, config: PlannerConfig = DEFAULT) -> BookingCheck:
    """Plan the car's site with and without one more booking, and compare."""
    vehicle = next((v for v in problem.vehicles if v.id == booking.vehicle_id), None)
    if vehicle is None:
        raise ValueError(f"unknown vehicle {booking.vehicle_id!r}")
    # the horizon must reach the new departure, whatever the configured length
    slots = max(config.slots, slot_ceil(problem.start, booking.start) + 1)
    config = replace(config, slots=slots)
    site = problem.for_site(vehicle.site_id)
    before = plan_site(site, vehicle.site_id, config)
    after = plan_site(replace(site, bookings=(*site.bookings, booking)), vehicle.site_id, config)
    mine = next((b for b in after.bookings if b.booking_id == booking.id), None)
    if mine is None:
        raise ValueError(f"booking {booking.id} does not depart within the horizon")
    was_short = {b.booking_id for b in before.bookings if b.short}
    newly = tuple(
        b.booking_id
        for b in after.bookings
        if b.short and b.booking_id != booking.id and b.booking_id not in was_short
    )
    return BookingCheck(
        booking_id=booking.id,
        ok=not mine.short and not newly,
        target_soc=mine.target_soc,
        expected_soc=mine.expected_soc,
        shortfall_kwh=mine.shortfall_kwh,
        newly_short=newly,
    )
