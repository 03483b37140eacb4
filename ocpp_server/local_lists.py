"""Local authorisation lists kept in step with our id tokens (reads and records; no sending).

What to send is decided by `ocpp_server.authlist` (pure); the caller sends each update
outside any transaction (the node after a boot, the job through the command bus) and the
charger's answer is recorded as a command effect (`apply_sent`).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import Charger, Company, IdToken, LocalListEntry, RegistrationStatus, User
from ocpp_server import authlist, configuration, device_model
from ocpp_server.authlist import ListUpdate
from ocpp_server.events import LocalListEntryInfo, LocalListSent

# The versions whose chargers get our list (each adapter builds its own SendLocalList).
VERSIONS = ("1.6", "2.0.1")


def wanted_entries(s: Session) -> list[LocalListEntryInfo]:
    """Every id token as a list entry: citizens' and fleet cards, blocked and expired ones too."""
    now = utcnow()
    rows = s.execute(
        select(
            IdToken.id_tag,
            IdToken.status,
            IdToken.expires_at,
            IdToken.parent_id_tag,
            User.is_active,
            Company.is_active,
            IdToken.kind,
        )
        .outerjoin(User, IdToken.user_id == User.id)
        .outerjoin(Company, IdToken.company_id == Company.id)
    )
    return [
        authlist.entry(
            tag,
            status,
            expires,
            parent,
            user_ok is not False and company_ok is not False,
            now,
            kind,
        )
        for tag, status, expires, parent, user_ok, company_ok, kind in rows
    ]


def held(s: Session, charger_pk: int) -> dict[str, LocalListEntryInfo]:
    """The list the charger holds, as we recorded its accepted updates."""
    rows = s.scalars(select(LocalListEntry).where(LocalListEntry.charger_id == charger_pk))
    return {
        r.id_tag: LocalListEntryInfo(
            r.id_tag, r.status, r.expires_at, r.parent_id_tag, r.kind or authlist.DEFAULT_KIND
        )
        for r in rows
    }


def updates_for(db: Database, cp_id: str, version: str) -> list[ListUpdate]:
    """The SendLocalList updates a charger speaking `version` needs now (none: in step, or it
    has no list). The caller names the version: right after a boot the stored one may lag."""
    with db.sessions() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
        if charger is None:
            return []
        config = (
            device_model.local_list_config(s, charger.id)
            if version == "2.0.1"
            else configuration.values(s, charger.id)
        )
        if not authlist.supported(config, charger.local_list_status):
            return []
        limits = authlist.limits(config)
        target = authlist.wanted(wanted_entries(s), limits.total)
        return authlist.plan(
            held(s, charger.id),
            target,
            charger.local_list_version,
            charger.local_list_synced_version,
            limits.per_message,
        )


def due(db: Database) -> list[tuple[str, str]]:
    """Connected chargers (id, OCPP version) whose list lags or differs from our tokens now."""
    with db.sessions() as s:
        target = authlist.digest(authlist.wanted(wanted_entries(s), None))
        rows = s.execute(
            select(
                Charger.charge_point_id,
                Charger.local_list_version,
                Charger.local_list_synced_version,
                Charger.local_list_digest,
                Charger.local_list_status,
                Charger.ocpp_version,
            ).where(
                Charger.is_online.is_(True),
                Charger.ocpp_version.in_(VERSIONS),
                Charger.registration_status == RegistrationStatus.ACCEPTED,
            )
        )
        return [
            (cp, str(protocol))
            for cp, version, synced, digest, status, protocol in rows
            if status != "NotSupported" and (authlist.lagging(version, synced) or digest != target)
        ]


def synced_online(db: Database) -> list[str]:
    """Connected chargers that hold a list of ours (their version is worth checking)."""
    with db.sessions() as s:
        return list(
            s.scalars(
                select(Charger.charge_point_id).where(
                    Charger.is_online.is_(True),
                    Charger.ocpp_version.in_(VERSIONS),
                    Charger.local_list_synced_version.is_not(None),
                )
            )
        )


def apply_sent(s: Session, charger_pk: int, sent: LocalListSent) -> None:
    """Record a charger's answer to SendLocalList: its list and version when it accepted."""
    charger = s.get(Charger, charger_pk)
    if charger is None:
        return
    charger.local_list_status = sent.status
    if sent.status in ("Failed", "VersionMismatch"):
        charger.local_list_synced_version = None  # the list is unknown now: next time in full
        return
    if sent.status != "Accepted":
        return
    if sent.full:
        s.execute(delete(LocalListEntry).where(LocalListEntry.charger_id == charger_pk))
    _store_entries(s, charger_pk, sent.entries, sent.full)
    s.flush()
    charger.local_list_version = charger.local_list_synced_version = sent.version
    charger.local_list_digest = authlist.digest(held(s, charger_pk).values())


def _store_entries(
    s: Session, charger_pk: int, entries: tuple[LocalListEntryInfo, ...], emptied: bool
) -> None:
    existing = (
        {}
        if emptied
        else {
            r.id_tag: r
            for r in s.scalars(
                select(LocalListEntry).where(
                    LocalListEntry.charger_id == charger_pk,
                    LocalListEntry.id_tag.in_([e.id_tag for e in entries]),
                )
            )
        }
    )
    for e in entries:
        row = existing.get(e.id_tag)
        if e.status is None:
            if row is not None:
                s.delete(row)
            continue
        if row is None:
            row = LocalListEntry(charger_id=charger_pk, id_tag=e.id_tag)
            s.add(row)
            existing[e.id_tag] = row
        row.status, row.expires_at, row.parent_id_tag = e.status, e.expires_at, e.parent_id_tag
        row.kind = e.kind


def version_reported(s: Session, charger_pk: int, version: int) -> None:
    """A charger's GetLocalListVersion answer (-1: it has no local list)."""
    charger = s.get(Charger, charger_pk)
    if charger is None:
        return
    if version < 0:
        charger.local_list_status = "NotSupported"
        return
    charger.local_list_version = version
