"""Availability search: one SQL statement per filter shape, filtered further by the pure rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from zoneinfo import ZoneInfo

from sqlalchemy import Select, bindparam, exists, or_, select
from sqlalchemy.orm import Session

from booking import rules
from mobility.clock import utcnow
from mobility.db import Database, FastQuery
from mobility.models import (
    HOLDING_STATES,
    Booking,
    Membership,
    MembershipStatus,
    Vehicle,
    VehicleState,
    VehicleVisibility,
)


@dataclass(frozen=True)
class Search:
    """Availability search criteria."""

    start: datetime
    end: datetime
    hub_id: int | None = None
    kind: str | None = None
    min_soc: int | None = None
    min_range_km: int | None = None


# A select of any row shape (SQLAlchemy 2.1 types selects by their columns).
AnySelect: TypeAlias = "Select[*tuple[Any, ...]]"

_SEARCH_SHAPES: dict[tuple[bool, ...], AnySelect] = {}

# What the JSON API shows of a vehicle (plus what visibility needs): selecting only these skips
# decoding timestamps and other columns on the hot path.
ROW_COLUMNS = (
    Vehicle.id,
    Vehicle.code,
    Vehicle.kind,
    Vehicle.model,
    Vehicle.hub_id,
    Vehicle.state,
    Vehicle.soc_percent,
    Vehicle.max_range_km,
    Vehicle.seats,
    Vehicle.plate,
    Vehicle.visibility,
    Vehicle.public_hours,
)


def _search_stmt(
    hub: bool, kind: bool, soc: bool, range_: bool, now_only: bool, rows: bool
) -> AnySelect:
    """The availability query for one combination of filters, with bound parameters.

    Built once per shape and reused: constructing SQLAlchemy expressions costs more than
    running this indexed query, and a reused statement also hits the compiled-SQL cache.
    """
    key = (hub, kind, soc, range_, now_only, rows)
    cached = _SEARCH_SHAPES.get(key)
    if cached is not None:
        return cached
    # OR-ed equalities rather than IN: an IN list is re-rendered on every execution.
    busy = exists().where(
        Booking.vehicle_id == Vehicle.id,
        or_(*(Booking.status == st for st in HOLDING_STATES)),
        Booking.start_at < bindparam("window_end"),
        Booking.block_end_at > bindparam("start"),
    )
    member_of = select(Membership.company_id).where(
        Membership.user_id == bindparam("user_id"), Membership.status == MembershipStatus.ACTIVE
    )
    states = [VehicleState.AVAILABLE] + ([] if now_only else [VehicleState.IN_USE])
    # for_member: whether the caller belongs to the owning company (sees it at any hour).
    entity: Any = ROW_COLUMNS if rows else (Vehicle,)
    stmt: AnySelect = select(*entity, Vehicle.owner_company_id.in_(member_of).label("for_member"))
    stmt = stmt.where(
        or_(*(Vehicle.state == st for st in states)),
        Vehicle.hub_id.is_not(None),
        ~busy,
        (Vehicle.visibility != VehicleVisibility.FLEET_ONLY)
        | Vehicle.owner_company_id.in_(member_of),
    )
    if hub:
        stmt = stmt.where(Vehicle.hub_id == bindparam("hub_id"))
    if kind:
        stmt = stmt.where(Vehicle.kind == bindparam("kind"))
    if soc:
        stmt = stmt.where(Vehicle.soc_percent >= bindparam("min_soc"))
    if range_:
        stmt = stmt.where(Vehicle.max_range_km * Vehicle.soc_percent >= bindparam("min_range"))
    stmt = stmt.order_by(Vehicle.hub_id, Vehicle.kind, Vehicle.soc_percent.desc(), Vehicle.id)
    _SEARCH_SHAPES[key] = stmt
    return stmt


def search_params(
    q: Search, user_id: int | None, policy: rules.BookingPolicy, rows: bool = False
) -> tuple[AnySelect, dict[str, Any]]:
    """The availability statement and its parameters for these criteria and this user.

    The SQL repeats two rules for speed: `rules.overlaps` of [start, blocked_until) with the
    holding bookings, and `rules.starts_now` (a vehicle on a trip only for later starts).
    """
    now_only = rules.starts_now(q.start, utcnow(), policy)
    stmt = _search_stmt(
        q.hub_id is not None,
        bool(q.kind),
        q.min_soc is not None,
        q.min_range_km is not None,
        now_only,
        rows,
    )
    params: dict[str, Any] = {
        "start": q.start,
        "window_end": rules.blocked_until(q.end, policy),
        "user_id": user_id if user_id is not None else -1,
        "hub_id": q.hub_id,
        "kind": q.kind,
        "min_soc": q.min_soc,
        "min_range": (q.min_range_km or 0) * 100,
    }
    return stmt, params


def _shown(visibility: str, hours: Any, for_member: bool | None, q: Search, tz: ZoneInfo) -> bool:
    # Fleet-only cars are filtered in SQL; shared-hours ones need the whole slot in their hours.
    if for_member:
        return True
    return not rules.members_only(visibility, hours, q.start, q.end, tz)


def search(
    s: Session, q: Search, user_id: int | None, tz: ZoneInfo, policy: rules.BookingPolicy
) -> list[Vehicle]:
    """Bookable vehicles for the criteria, visible to this user (fleet-only ones to members)."""
    stmt, params = search_params(q, user_id, policy)
    return [
        v
        for v, for_member in s.execute(stmt, params)
        if _shown(v.visibility, v.public_hours, for_member, q, tz)
    ]


_FAST_SHAPES: dict[int, FastQuery] = {}


def search_rows(
    db: Database, q: Search, user_id: int | None, tz: ZoneInfo, policy: rules.BookingPolicy
) -> list[Any]:
    """The same search as named tuples of ROW_COLUMNS (the JSON API's hot path)."""
    stmt, params = search_params(q, user_id, policy, rows=True)
    fast = _FAST_SHAPES.get(id(stmt))
    if fast is None:
        # Shapes are built once and kept, so their ids are stable keys.
        fast = _FAST_SHAPES[id(stmt)] = FastQuery(stmt)
    return [
        row
        for row in fast.all(db, params)
        if _shown(row.visibility, row.public_hours, row.for_member, q, tz)
    ]
