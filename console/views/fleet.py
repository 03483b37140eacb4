"""Hubs and vehicles: availability per hub, vehicle state, SoC, next booking, maintenance."""

from __future__ import annotations

from typing import Any

from flask import flash, request

from console.context import ctx
from console.pages import actor, back_to, bp, optional_int, page, paging
from console.services import fleet
from mobility.errors import DomainError, ValidationFailed
from mobility.models import VehicleState


def _vehicles(status: int = 200, **extra: Any) -> Any:
    number, per_page = paging()
    state = request.args.get("state") or None
    if state is not None and state not in set(VehicleState):
        raise ValidationFailed("Unknown vehicle state.", field="state")
    found = fleet.vehicles(
        ctx().db,
        number,
        per_page,
        hub_id=optional_int("hub", request.args),
        state=state,
        q=request.args.get("q", "").strip()[:40],
    )
    return page(
        "fleet.html",
        status,
        hubs=fleet.hubs(ctx().db),
        found=found,
        states=list(VehicleState),
        **extra,
    )


@bp.get("/fleet")
def fleet_page() -> Any:
    """Hubs with availability and the vehicles list."""
    return _vehicles()


@bp.post("/vehicles/<code>/maintenance")
def vehicle_maintenance(code: str) -> Any:
    """Put a vehicle in maintenance or back in service, with a reason."""
    on = request.form.get("on") == "true"
    try:
        fleet.set_maintenance(ctx().db, actor(), code, on, request.form.get("reason", ""))
    except DomainError as exc:
        return _vehicles(exc.http_status, error=f"{code}: {exc.message}")
    flash(f"{code} {'is in maintenance' if on else 'is back in service'}.")
    return back_to("console.fleet_page")
