"""Users and companies for the console: search, platform roles, blocking with a reason."""

from __future__ import annotations

from sqlalchemy import func, or_, select, update

from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import ApiToken, Company, User, UserRole, WebSession


def users(db: Database, q: str, role: str | None, page: int, per_page: int) -> Page[User]:
    """Users by email or name, optionally of one role."""
    stmt = select(User).order_by(User.email)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(like), func.lower(User.full_name).like(like))
        )
    if role:
        stmt = stmt.where(User.role == role)
    with db.sessions() as s:
        return page_of(s, stmt, page, per_page)


def companies(db: Database, q: str, page: int, per_page: int) -> Page[Company]:
    """Companies by name or VAT id."""
    stmt = select(Company).order_by(Company.name)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(Company.name).like(like), func.lower(Company.vat_id).like(like))
        )
    with db.sessions() as s:
        return page_of(s, stmt, page, per_page)


def _other_user(db_user: User | None, actor: Actor) -> User:
    if db_user is None:
        raise NotFound("No such user.")
    if db_user.id == actor.id:
        raise Conflict("Operators cannot change their own role or block themselves.")
    return db_user


def set_role(db: Database, actor: Actor, user_id: int, role: str) -> None:
    """Make a user an operator or a citizen."""
    if role not in set(UserRole):
        raise ValidationFailed("Unknown role.", field="role")
    with db.transaction() as s:
        user = _other_user(s.get(User, user_id), actor)
        if user.role != role:
            record(s, actor, "user.role", "user", user.email, old=user.role, new=role)
            user.role = role


def set_user_active(db: Database, actor: Actor, user_id: int, active: bool, reason: str) -> None:
    """Block a user (signed-in browsers and API tokens stop working) or unblock them."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    now = utcnow()
    with db.transaction() as s:
        user = _other_user(s.get(User, user_id), actor)
        user.is_active = active
        if not active:
            s.execute(
                update(WebSession)
                .where(WebSession.user_id == user.id, WebSession.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            s.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        action = "user.unblock" if active else "user.block"
        record(s, actor, action, "user", user.email, reason=reason.strip())


def set_company_active(
    db: Database, actor: Actor, company_id: int, active: bool, reason: str
) -> None:
    """Block a company's fleet account or open it again."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    with db.transaction() as s:
        company = s.get(Company, company_id)
        if company is None:
            raise NotFound("No such company.")
        company.is_active = active
        action = "company.unblock" if active else "company.block"
        record(s, actor, action, "company", company_id, reason=reason.strip(), name=company.name)
