"""Who may book which vehicle under which account (fleet limits plug in here)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.errors import Forbidden
from mobility.models import Membership, MembershipStatus, User, Vehicle, VehicleVisibility


def within_hours(hours: dict[str, Any] | None, when: datetime, tz: ZoneInfo) -> bool:
    """Whether `when` falls in opening hours {"mon": [["06:00","22:00"]], ...} (None = always)."""
    if hours is None:
        return True
    local = when.astimezone(tz)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    now = local.strftime("%H:%M")
    return any(start <= now < end for start, end in hours.get(day, []))


def active_membership(s: Session, user_id: int, company_id: int) -> Membership | None:
    """The user's active membership of a company, if any."""
    return s.scalar(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.company_id == company_id,
            Membership.status == MembershipStatus.ACTIVE,
        )
    )


def check_may_book(
    s: Session,
    user: User,
    company_id: int | None,
    vehicle: Vehicle,
    start_at: datetime,
    end_at: datetime,
    tz: ZoneInfo,
) -> Membership | None:
    """Raise Forbidden unless this user may book this vehicle under this account."""
    membership = None
    if company_id is not None:
        membership = active_membership(s, user.id, company_id)
        if membership is None:
            raise Forbidden("You are not an active member of that company account.")
    members_only = vehicle.visibility == VehicleVisibility.FLEET_ONLY or (
        vehicle.visibility == VehicleVisibility.SHARED_HOURS
        and not (
            within_hours(vehicle.public_hours, start_at, tz)
            and within_hours(vehicle.public_hours, end_at, tz)
        )
    )
    owner = vehicle.owner_company_id
    if members_only and (owner is None or company_id != owner):
        raise Forbidden("This vehicle is reserved for its company's members at that time.")
    return membership
