"""Citizens' driving licences for operators to check: list, verify, refuse (audited; a refused
citizen is mailed why, in their language)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.driving_licence import Licence, check_problem, refusal_letter
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.locales import language_of
from mobility.mail import MAIL_KIND
from mobility.models import User
from mobility.outbox import Outbox

STATES = ("pending", "verified", "all")


def listed(db: Database, state: str, page: int, per_page: int) -> Page[User]:
    """Users with a licence entered: waiting for a check (oldest first), checked, or all."""
    if state not in STATES:
        raise ValidationFailed("Unknown licence state.", field="state")
    stmt = select(User).where(User.driving_licence_number.is_not(None))
    if state == "pending":
        stmt = stmt.where(User.driving_licence_verified_at.is_(None))
    elif state == "verified":
        stmt = stmt.where(User.driving_licence_verified_at.is_not(None))
    with db.sessions() as s:
        return page_of(s, stmt.order_by(User.updated_at, User.id), page, per_page)


def verify(db: Database, actor: Actor, user_id: int, today: date) -> User:
    """Mark a licence checked by this operator (refused for none or an expired one)."""
    with db.transaction() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None:
            raise NotFound("No such user.")
        found = Licence(
            user.driving_licence_number,
            user.driving_licence_expires_on,
            user.driving_licence_verified_at,
        )
        problem = check_problem(found, today)
        if problem:
            raise Conflict(problem)
        user.driving_licence_verified_at = utcnow()
        user.driving_licence_verified_by_id = actor.id
        record(s, actor, "licence.verify", "user", user.id)
        return user


def reject(
    db: Database, outbox: Outbox, base_url: str, actor: Actor, user_id: int, reason: str
) -> User:
    """Refuse a licence with a reason: its details are cleared for the citizen to enter again,
    and they are mailed why (after commit)."""
    why = reason.strip()[:500]
    if not why:
        raise ValidationFailed("Say why.", field="reason")
    with db.transaction() as s:
        user = s.get(User, user_id, with_for_update=True)
        if user is None or user.driving_licence_number is None:
            raise NotFound("This user has no licence to refuse.")
        user.driving_licence_number = user.driving_licence_country = None
        user.driving_licence_expires_on = None
        user.driving_licence_verified_at = user.driving_licence_verified_by_id = None
        record(s, actor, "licence.reject", "user", user.id, reason=why)
        key, intent = refusal_letter(user.id, user.email, language_of(user.locale), why, base_url)
        outbox.record(s, MAIL_KIND, key, intent, secret=True)
        return user
