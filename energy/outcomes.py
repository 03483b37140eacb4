"""What a site's powers mean: SoC at each departure, session energy, site totals."""

from __future__ import annotations

from energy.explain import connector_plans
from energy.model import SLOT_H, BookingOutcome, SessionOutcome, SitePlan, VehiclePlan
from energy.timeline import SiteModel, VehicleTimeline


def site_plan(model: SiteModel, powers: list[list[float]], method: str, note: str) -> SitePlan:
    """Assemble the site's plan from its final powers (after the limits safety net)."""
    load_kw = [sum(col) for col in zip(*powers, strict=True)] if powers else [0.0] * model.slots
    grid_kw = [max(0.0, kw - pv) for kw, pv in zip(load_kw, model.pv, strict=True)]
    bookings = [b for v in model.vehicles for b in _bookings(v, powers[v.load])]
    sessions = [
        SessionOutcome(s.id, s.connector_id, request, sum(powers[u]) * SLOT_H)
        for s, u, request in model.sessions
    ]
    short = {b.booking_id for b in bookings if b.short}
    short |= {s.session_id for s in sessions if s.unmet_kwh > 1e-3}
    return SitePlan(
        site_id=model.site.id,
        start=model.start,
        method=method,
        note=note,
        load_kw=tuple(load_kw),
        limit_kw=model.limit,
        grid_kw=tuple(grid_kw),
        cost_eur=sum(p * g * SLOT_H for p, g in zip(model.price, grid_kw, strict=True)),
        connectors=connector_plans(model, powers, load_kw, short),
        vehicles=tuple(_vehicle_plan(model, v, powers[v.load]) for v in model.vehicles),
        bookings=tuple(bookings),
        sessions=tuple(sessions),
    )


def _bookings(timeline: VehicleTimeline, kw: list[float]) -> list[BookingOutcome]:
    """Expected SoC at each departure against its target."""
    vehicle = timeline.vehicle
    cap, eff = vehicle.capacity_kwh, vehicle.efficiency
    out = []
    for d in timeline.departures:
        kwh = timeline.kwh_now + eff * sum(kw[: d.slot]) * SLOT_H - d.used_before_kwh
        kwh = min(max(kwh, 0.0), cap)
        shortfall = max(0.0, d.target_soc * cap - kwh)
        out.append(
            BookingOutcome(d.booking_id, vehicle.id, d.at, d.target_soc, kwh / cap, shortfall)
        )
    return out


def _vehicle_plan(model: SiteModel, timeline: VehicleTimeline, kw: list[float]) -> VehiclePlan:
    vehicle = timeline.vehicle
    return VehiclePlan(
        vehicle_id=vehicle.id,
        site_id=vehicle.site_id,
        connector_id=vehicle.connector_id,
        start=model.start,
        capacity_kwh=vehicle.capacity_kwh,
        efficiency=vehicle.efficiency,
        start_kwh=min(max(vehicle.soc, 0.0), 1.0) * vehicle.capacity_kwh,
        kw=tuple(kw),
        trips=timeline.trips,
    )
