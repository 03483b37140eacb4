"""Charging cards (OCPP id tags) of users and fleets: search, block, expiry, parent tag."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.db import Database
from mobility.errors import NotFound, ValidationFailed
from mobility.models import Charger, Company, IdToken, IdTokenStatus, LocalListEntry, User


@dataclass(frozen=True)
class CardRow:
    """A card with the names of who holds and who pays for it."""

    card: IdToken
    user: str | None
    company: str | None


def list_cards(db: Database, q: str, status: str | None, page: int, per_page: int) -> Page[CardRow]:
    """Cards matching a search over tag, label, holder's email and company name."""
    stmt = (
        select(IdToken, User.email, Company.name)
        .outerjoin(User, User.id == IdToken.user_id)
        .outerjoin(Company, Company.id == IdToken.company_id)
        .order_by(IdToken.id_tag)
    )
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(IdToken.id_tag).like(like),
                func.lower(IdToken.label).like(like),
                func.lower(User.email).like(like),
                func.lower(Company.name).like(like),
            )
        )
    if status:
        stmt = stmt.where(IdToken.status == status)
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
    rows = [CardRow(card, email, company) for card, email, company in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def _card(s: Session, id_tag: str) -> IdToken:
    card = s.scalar(select(IdToken).where(IdToken.id_tag == id_tag))
    if card is None:
        raise NotFound(f"No card {id_tag}.")
    return card


def set_blocked(db: Database, actor: Actor, id_tag: str, blocked: bool, reason: str) -> None:
    """Block a card (chargers refuse it at the next Authorize) or give it back Accepted."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    with db.transaction() as s:
        card = _card(s, id_tag)
        card.status = IdTokenStatus.BLOCKED if blocked else IdTokenStatus.ACCEPTED
        action = "card.block" if blocked else "card.unblock"
        record(s, actor, action, "card", id_tag, reason=reason.strip())


def update(
    db: Database, actor: Actor, id_tag: str, expires_at: datetime | None, parent: str
) -> None:
    """Set a card's expiry and parent tag (a group whose cards share transactions)."""
    parent_tag = parent.strip() or None
    if parent_tag is not None and (len(parent_tag) > 36 or parent_tag == id_tag):
        raise ValidationFailed("A parent tag is another tag of at most 36 characters.")
    with db.transaction() as s:
        card = _card(s, id_tag)
        changes = {}
        if card.expires_at != expires_at:
            card.expires_at = expires_at
            changes["expires_at"] = expires_at.isoformat() if expires_at else None
        if card.parent_id_tag != parent_tag:
            card.parent_id_tag = parent_tag
            changes["parent_id_tag"] = parent_tag
        if changes:
            record(s, actor, "card.update", "card", id_tag, **changes)


@dataclass(frozen=True)
class LocalListRow:
    """A charger's local authorisation list as we last recorded it."""

    charge_point_id: str
    ocpp_version: str | None
    online: bool
    version: int  # the version the charger holds (reported, or accepted from us)
    synced_version: int | None  # the version we sent last and it accepted (None: never, lost)
    status: str | None  # its answer to our last SendLocalList
    entries: int

    @property
    def in_step(self) -> bool:
        """The charger holds the version we last gave it."""
        return self.synced_version is not None and self.synced_version == self.version


def _with_list(lagging: bool) -> list[ColumnElement[bool]]:
    """Chargers with a local list state; `lagging`: the ones not holding our last version."""
    where = [
        or_(
            Charger.local_list_synced_version.is_not(None),
            Charger.local_list_status.is_not(None),
            Charger.local_list_version != 0,
        )
    ]
    if lagging:
        where.append(
            or_(
                Charger.local_list_synced_version.is_(None),
                Charger.local_list_synced_version != Charger.local_list_version,
            )
        )
        where.append(func.coalesce(Charger.local_list_status, "") != "NotSupported")
    return where


def local_lists(db: Database, lagging: bool, page: int, per_page: int) -> Page[LocalListRow]:
    """Chargers' local list versions, with how many entries each holds (two queries a page)."""
    stmt = (
        select(
            Charger.id,
            Charger.charge_point_id,
            Charger.ocpp_version,
            Charger.is_online,
            Charger.local_list_version,
            Charger.local_list_synced_version,
            Charger.local_list_status,
        )
        .where(*_with_list(lagging))
        .order_by(Charger.charge_point_id)
    )
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
        counted = s.execute(
            select(LocalListEntry.charger_id, func.count())
            .where(LocalListEntry.charger_id.in_([r[0] for r in found.items]))
            .group_by(LocalListEntry.charger_id)
        )
        entries = {pk: n for pk, n in counted}
    rows = [
        LocalListRow(cp, version, online, held, synced, status, entries.get(pk, 0))
        for pk, cp, version, online, held, synced, status in found.items
    ]
    return Page(rows, found.total, found.page, found.per_page)
