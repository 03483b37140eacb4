"""Fleet spending limits and allowed vehicle kinds/hubs, checked when a member books."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.facade import PriceQuote
from booking.fleet.rules import limit_problem, scope_problem
from mobility.errors import Forbidden, LimitExceeded
from mobility.models import Booking, BookingStatus, Company, Membership, User, Vehicle


def month_start(now: datetime, tz: ZoneInfo) -> datetime:
    """Start of the local calendar month containing `now`."""
    local = now.astimezone(tz)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _spent(s: Session, company_id: int, since: datetime, user_id: int | None) -> int:
    stmt = select(func.coalesce(func.sum(Booking.quote_minor), 0)).where(
        Booking.company_id == company_id,
        Booking.created_at >= since,
        Booking.status.in_(
            (BookingStatus.CONFIRMED, BookingStatus.ACTIVE, BookingStatus.COMPLETED)
        ),
    )
    if user_id is not None:
        stmt = stmt.where(Booking.user_id == user_id)
    return int(s.scalar(stmt) or 0)


def check_limits(
    s: Session,
    user: User,
    company_id: int | None,
    membership: Membership | None,
    vehicle: Vehicle,
    quote: PriceQuote,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """Raise when a company booking breaks the member's or the account's rules."""
    if company_id is None or membership is None:
        return
    problem = scope_problem(
        vehicle.kind, vehicle.hub_id, membership.allowed_vehicle_kinds, membership.allowed_hub_ids
    )
    if problem:
        raise Forbidden(problem, code="not_allowed_for_member")
    since = month_start(now, tz)
    company = s.get(Company, company_id)
    assert company is not None
    problem = limit_problem(
        "your monthly company limit",
        membership.monthly_limit_minor,
        _spent(s, company_id, since, user.id),
        quote.total_minor,
        quote.currency,
    ) or limit_problem(
        "the company's monthly limit",
        company.monthly_limit_minor,
        _spent(s, company_id, since, None),
        quote.total_minor,
        quote.currency,
    )
    if problem:
        raise LimitExceeded(problem)
