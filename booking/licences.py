"""Driving licences: a citizen enters theirs, an operator checks it (e-cars need a checked one).

Changing the number, country or expiry withdraws an earlier check: the new details are checked
again. Every operator decision is written to the audit log with who made it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from booking import rules
from mobility.clock import utcnow
from mobility.db import Database
from mobility.driving_licence import Licence, check_problem, refusal_letter
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.locales import language_of
from mobility.mail import MAIL_KIND
from mobility.models import AuditEntry, User
from mobility.outbox import Outbox

STATUSES = ("pending", "verified", "all")


def licence_of(user: User) -> Licence:
    """The stored licence of a user, as the rules read it."""
    return Licence(
        user.driving_licence_number,
        user.driving_licence_expires_on,
        user.driving_licence_verified_at,
    )


def today(tz: ZoneInfo) -> date:
    """The platform's current day (licences expire at the end of a local day)."""
    return utcnow().astimezone(tz).date()


def save(
    db: Database, user_id: int, number: str, country: str, expires_on: str, tz: ZoneInfo
) -> User:
    """Store the licence a citizen entered; new details wait for an operator's check."""
    fields = rules.validate_licence(number, country, expires_on, today(tz))
    with db.transaction() as s:
        user = s.get(User, user_id)
        if user is None:
            raise NotFound("No such user.")
        before = (
            user.driving_licence_number,
            user.driving_licence_country,
            user.driving_licence_expires_on,
        )
        if before != (fields.number, fields.country, fields.expires_on):
            user.driving_licence_number = fields.number
            user.driving_licence_country = fields.country
            user.driving_licence_expires_on = fields.expires_on
            user.driving_licence_verified_at = None
            user.driving_licence_verified_by_id = None
        return user


def listed(status: str) -> Select[Any]:
    """Users with a licence entered: waiting for a check, checked, or all; oldest first."""
    if status not in STATUSES:
        raise ValidationFailed("status is pending, verified or all.", field="status")
    stmt = select(User).where(User.driving_licence_number.is_not(None))
    if status == "pending":
        stmt = stmt.where(User.driving_licence_verified_at.is_(None))
    elif status == "verified":
        stmt = stmt.where(User.driving_licence_verified_at.is_not(None))
    return stmt.order_by(User.updated_at, User.id)


def as_json(user: User) -> dict[str, Any]:
    """A user's licence for the operator API."""
    return {
        "user_id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "number": user.driving_licence_number,
        "country": user.driving_licence_country,
        "expires_on": _iso(user.driving_licence_expires_on),
        "verified_at": _iso(user.driving_licence_verified_at),
        "verified_by_id": user.driving_licence_verified_by_id,
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def verify(db: Database, operator: User, user_id: int, tz: ZoneInfo) -> User:
    """Mark a user's licence checked by this operator (refused for none or an expired one)."""
    with db.transaction() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound("No such user.")
        problem = check_problem(licence_of(user), today(tz))
        if problem:
            raise Conflict(problem, code="licence_not_checkable")
        user.driving_licence_verified_at = utcnow()
        user.driving_licence_verified_by_id = operator.id
        s.add(_audit(operator, "licence.verify", user, None))
        return user


def reject(
    db: Database, outbox: Outbox, base_url: str, operator: User, user_id: int, reason: str
) -> User:
    """Refuse a licence with a reason: its details are cleared and the citizen is told why."""
    why = reason.strip()[:500]
    if not why:
        raise ValidationFailed("Say why the licence is refused.", field="reason")
    with db.transaction() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None or user.driving_licence_number is None:
            raise NotFound("This user has no licence to refuse.")
        s.add(_audit(operator, "licence.reject", user, why))
        user.driving_licence_number = user.driving_licence_country = None
        user.driving_licence_expires_on = None
        user.driving_licence_verified_at = user.driving_licence_verified_by_id = None
        key, intent = refusal_letter(user.id, user.email, language_of(user.locale), why, base_url)
        outbox.record(s, MAIL_KIND, key, intent, secret=True)
        return user


def _audit(operator: User, action: str, user: User, reason: str | None) -> AuditEntry:
    return AuditEntry(
        actor_id=operator.id,
        actor_email=operator.email,
        action=action,
        target_type="user",
        target_id=str(user.id),
        reason=reason,
        details={"via": "api"},
    )
