"""The configuration store: each charger's keys as it last reported them, and our changes.

GetConfiguration answers are stored per key (with readonly flags and the keys the charger
does not know); an accepted ChangeConfiguration updates the value, one accepted with
RebootRequired keeps the new value pending until the charger boots again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import Charger, ConfigurationKey
from ocpp_server.events import ConfigurationChanged, ConfigurationReported


def _rows(s: Session, charger_pk: int) -> dict[str, ConfigurationKey]:
    found = s.scalars(select(ConfigurationKey).where(ConfigurationKey.charger_id == charger_pk))
    return {row.key: row for row in found}


def _row(
    s: Session, rows: dict[str, ConfigurationKey], charger_pk: int, key: str
) -> ConfigurationKey:
    row = rows.get(key)
    if row is None:
        row = ConfigurationKey(charger_id=charger_pk, key=key, known=True)
        s.add(row)
        rows[key] = row
    return row


def apply_report(s: Session, charger_pk: int, report: ConfigurationReported) -> None:
    """Store a GetConfiguration answer; a complete one also forgets keys no longer reported."""
    now = utcnow()
    rows = _rows(s, charger_pk)
    for item in report.values:
        row = _row(s, rows, charger_pk, item.key)
        row.value, row.readonly, row.known, row.reported_at = item.value, item.readonly, True, now
    for key in report.unknown:
        row = _row(s, rows, charger_pk, key)
        row.known, row.reported_at = False, now
    if report.complete:
        listed = {v.key for v in report.values} | set(report.unknown)
        gone = [k for k, row in rows.items() if k not in listed and row.known]
        if gone:
            s.execute(
                delete(ConfigurationKey).where(
                    ConfigurationKey.charger_id == charger_pk, ConfigurationKey.key.in_(gone)
                )
            )


def apply_change(s: Session, charger_pk: int, change: ConfigurationChanged) -> None:
    """Mirror a charger's answer to ChangeConfiguration."""
    rows = _rows(s, charger_pk)
    row = _row(s, rows, charger_pk, change.key)
    row.change_status, row.changed_at = change.status, utcnow()
    if change.status == "Accepted":
        row.value, row.pending_value = change.value, None
    elif change.status == "RebootRequired":
        row.pending_value = change.value
    elif change.status == "NotSupported":
        row.known = False


def rebooted(s: Session, charger_pks: list[int]) -> None:
    """After a boot, values accepted with RebootRequired are in force."""
    if not charger_pks:
        return
    s.execute(
        update(ConfigurationKey)
        .where(
            ConfigurationKey.charger_id.in_(charger_pks),
            ConfigurationKey.pending_value.is_not(None),
        )
        .values(value=ConfigurationKey.pending_value, pending_value=None, change_status=None)
    )


def values(s: Session, charger_pk: int) -> dict[str, str | None]:
    """Known keys and their values as the charger last reported them (rules read these)."""
    rows = s.execute(
        select(ConfigurationKey.key, ConfigurationKey.value).where(
            ConfigurationKey.charger_id == charger_pk, ConfigurationKey.known.is_(True)
        )
    )
    return {key: value for key, value in rows}


def values_of(db: Database, cp_id: str) -> dict[str, str | None]:
    """`values` for a charger by its charge point id (empty for an unknown charger)."""
    with db.sessions() as s:
        pk = s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id))
        return values(s, pk) if pk is not None else {}


def view(s: Session, charger_pk: int) -> dict[str, Any]:
    """The store as the operator sees it: keys, flags, pending changes, reboot needed."""
    rows = sorted(_rows(s, charger_pk).values(), key=lambda r: r.key)
    keys = [
        {
            "key": r.key,
            "value": r.value,
            "readonly": r.readonly,
            "known": r.known,
            "pending_value": r.pending_value,
            "change_status": r.change_status,
            "reported_at": r.reported_at.isoformat() if r.reported_at else None,
        }
        for r in rows
    ]
    return {
        "keys": keys,
        "reboot_required": any(r.pending_value is not None for r in rows),
    }
