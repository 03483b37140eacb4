"""A site plan as JSON for the database, the API and the plot, and back for SoC lookups. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from energy.model import SLOT, BookingOutcome, ConnectorPlan, SitePlan, Trip, VehiclePlan
from mobility.clock import as_utc


def _iso(at: datetime) -> str:
    return as_utc(at).isoformat()


def _kw(values: tuple[float, ...] | list[float]) -> list[float]:
    return [round(v, 3) for v in values]


def plan_body(plan: SitePlan, pv_kw: tuple[float, ...], price: tuple[float, ...]) -> dict[str, Any]:
    """Everything the plan page and the booking outlook read."""
    return {
        "start": _iso(plan.start),
        "method": plan.method,
        "note": plan.note,
        "load_kw": _kw(plan.load_kw),
        "limit_kw": _kw(plan.limit_kw),
        "grid_kw": _kw(plan.grid_kw),
        "pv_kw": _kw(pv_kw[: len(plan.load_kw)]),
        "price_eur_kwh": [round(p, 5) for p in price[: len(plan.load_kw)]],
        "cost_eur": round(plan.cost_eur, 4),
        "connectors": [_connector(plan.start, c) for c in plan.connectors],
        "vehicles": [_vehicle(v) for v in plan.vehicles],
        "bookings": [_booking(b) for b in plan.bookings],
        "sessions": [
            {
                "session_id": x.session_id,
                "connector_id": x.connector_id,
                "requested_kwh": round(x.requested_kwh, 3),
                "planned_kwh": round(x.planned_kwh, 3),
            }
            for x in plan.sessions
        ],
    }


def _connector(start: datetime, c: ConnectorPlan) -> dict[str, Any]:
    """A connector's power per slot and its runs with reasons (slot indices from the start)."""
    return {
        "id": c.connector_id,
        "kw": _kw(c.kw),
        "segments": [
            {
                "from_slot": (g.start - start) // SLOT,
                "to_slot": (g.end - start) // SLOT,
                "kw": round(g.kw, 3),
                "reason": g.reason.value,
                "serves": g.serves,
            }
            for g in c.segments
        ],
    }


def _booking(b: BookingOutcome) -> dict[str, Any]:
    return {
        "booking_id": b.booking_id,
        "vehicle_id": b.vehicle_id,
        "departure": _iso(b.departure),
        "target_soc": round(b.target_soc, 4),
        "expected_soc": round(b.expected_soc, 4),
        "shortfall_kwh": round(b.shortfall_kwh, 3),
        "short": b.short,
    }


def _vehicle(v: VehiclePlan) -> dict[str, Any]:
    return {
        "vehicle_id": v.vehicle_id,
        "connector_id": v.connector_id,
        "start": _iso(v.start),
        "capacity_kwh": v.capacity_kwh,
        "efficiency": v.efficiency,
        "start_kwh": round(v.start_kwh, 4),
        "kw": _kw(v.kw),
        "trips": [
            {"booking_id": t.booking_id, "start": _iso(t.start), "end": _iso(t.end), "kwh": t.kwh}
            for t in v.trips
        ],
    }


def vehicle_plan(body: dict[str, Any], site_id: str, vehicle_id: str) -> VehiclePlan | None:
    """One car's plan read back from a stored body (None when the car is not in it)."""
    for v in body.get("vehicles", ()):
        if v["vehicle_id"] == vehicle_id:
            return VehiclePlan(
                vehicle_id=vehicle_id,
                site_id=site_id,
                connector_id=v["connector_id"],
                start=datetime.fromisoformat(v["start"]),
                capacity_kwh=float(v["capacity_kwh"]),
                efficiency=float(v["efficiency"]),
                start_kwh=float(v["start_kwh"]),
                kw=tuple(float(x) for x in v["kw"]),
                trips=tuple(
                    Trip(
                        t["booking_id"],
                        datetime.fromisoformat(t["start"]),
                        datetime.fromisoformat(t["end"]),
                        float(t["kwh"]),
                    )
                    for t in v["trips"]
                ),
            )
    return None
