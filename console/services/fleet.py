"""Hubs and shared vehicles for the console: availability, state, SoC, next booking, maintenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import Booking, BookingStatus, Hub, Vehicle, VehicleState


@dataclass(frozen=True)
class HubRow:
    """A hub and how many of its vehicles are in each state."""

    hub: Hub
    states: dict[str, int]

    @property
    def total(self) -> int:
        """Vehicles parked at the hub."""
        return sum(self.states.values())


@dataclass(frozen=True)
class VehicleRow:
    """A vehicle with its hub and next confirmed booking."""

    vehicle: Vehicle
    hub: str | None
    next_booking: datetime | None


def hubs(db: Database) -> list[HubRow]:
    """Every hub with its vehicles counted by state (one grouped query)."""
    with db.sessions() as s:
        all_hubs = list(s.scalars(select(Hub).order_by(Hub.name)))
        counts: dict[int, dict[str, int]] = {}
        for hub_id, state, n in s.execute(
            select(Vehicle.hub_id, Vehicle.state, func.count())
            .where(Vehicle.hub_id.is_not(None))
            .group_by(Vehicle.hub_id, Vehicle.state)
        ):
            if hub_id is not None:
                counts.setdefault(hub_id, {})[state] = n
    return [HubRow(h, counts.get(h.id, {})) for h in all_hubs]


def vehicles(
    db: Database,
    page: int,
    per_page: int,
    *,
    hub_id: int | None = None,
    state: str | None = None,
    q: str = "",
) -> Page[VehicleRow]:
    """Vehicles with hub name and next booking, filtered by hub, state and code/plate."""
    stmt = select(Vehicle, Hub.name).outerjoin(Hub, Hub.id == Vehicle.hub_id).order_by(Vehicle.code)
    if hub_id is not None:
        stmt = stmt.where(Vehicle.hub_id == hub_id)
    if state:
        stmt = stmt.where(Vehicle.state == state)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            func.lower(Vehicle.code).like(like) | func.lower(Vehicle.plate).like(like)
        )
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
        ids = [v.id for v, _ in found.items]
        upcoming = s.execute(
            select(Booking.vehicle_id, func.min(Booking.start_at))
            .where(
                Booking.vehicle_id.in_(ids),
                Booking.status == BookingStatus.CONFIRMED,
                Booking.end_at > utcnow(),
            )
            .group_by(Booking.vehicle_id)
        )
        nexts = {vehicle_id: start for vehicle_id, start in upcoming}
    rows = [VehicleRow(v, hub, nexts.get(v.id)) for v, hub in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def set_maintenance(db: Database, actor: Actor, code: str, on: bool, reason: str) -> None:
    """Take a vehicle out for maintenance (with a reason) or put it back into service."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    with db.transaction() as s:
        vehicle = s.scalar(select(Vehicle).where(Vehicle.code == code).with_for_update())
        if vehicle is None:
            raise NotFound(f"No vehicle {code}.")
        if on and vehicle.state == VehicleState.IN_USE:
            raise Conflict(f"{code} is on a trip: end the trip first.")
        if not on and vehicle.state != VehicleState.MAINTENANCE:
            raise Conflict(f"{code} is not in maintenance.")
        vehicle.state = VehicleState.MAINTENANCE if on else VehicleState.AVAILABLE
        action = "vehicle.maintenance" if on else "vehicle.back_in_service"
        record(s, actor, action, "vehicle", code, reason=reason.strip())
