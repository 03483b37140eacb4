"""2.0.1 monitoring kept per station: its variable monitors and the events it notifies.

Monitors come from the station's answers to SetVariableMonitoring / ClearVariableMonitoring /
SetMonitoringBase (command effects) and from its monitoring reports; events from NotifyEvent,
each stored once (a replayed message adds nothing) with the severity of the monitor that
fired it, when we know that monitor.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import ChargerMonitor, DeviceEvent
from ocpp_server.events import DeviceEventReport, Monitor, MonitorsCleared, MonitorsSet
from ocpp_server.services import charger_row


def apply_set(s: Session, charger_pk: int, effect: MonitorsSet) -> int:
    """Insert or replace monitors by the station's id (an id given again replaces it)."""
    wanted = {m.monitor_id: m for m in effect.monitors}
    if not wanted:
        return 0
    existing = {
        row.monitor_id: row
        for row in s.scalars(
            select(ChargerMonitor).where(
                ChargerMonitor.charger_id == charger_pk, ChargerMonitor.monitor_id.in_(wanted)
            )
        )
    }
    now = utcnow()
    for monitor_id, m in wanted.items():
        row = existing.get(monitor_id)
        if row is None:
            row = ChargerMonitor(charger_id=charger_pk, monitor_id=monitor_id)
            s.add(row)
        _fill(row, m)
        row.updated_at = now
    return len(wanted)


def _fill(row: ChargerMonitor, m: Monitor) -> None:
    for name, value in asdict(m.target).items():
        setattr(row, name, value)
    row.monitor_type, row.value, row.severity = m.monitor_type, m.value, m.severity
    row.transaction_only = m.transaction_only


def apply_cleared(s: Session, charger_pk: int, effect: MonitorsCleared) -> None:
    """Forget monitors the station removed (all of them when it kept only hard-wired ones)."""
    stmt = delete(ChargerMonitor).where(ChargerMonitor.charger_id == charger_pk)
    if effect.monitor_ids is not None:
        stmt = stmt.where(ChargerMonitor.monitor_id.in_(effect.monitor_ids))
    s.execute(stmt)


def record_report(db: Database, cp_id: str, monitors: tuple[Monitor, ...]) -> int:
    """A NotifyMonitoringReport part: its monitors stored."""
    with db.transaction() as s:
        return apply_set(s, charger_row(s, cp_id).id, MonitorsSet(monitors))


def record_events(db: Database, cp_id: str, events: Iterable[DeviceEventReport]) -> int:
    """A NotifyEvent's events, each once; answers how many were new."""
    found = {(e.event_id, e.timestamp): e for e in events}
    if not found:
        return 0
    with db.transaction() as s:
        charger_pk = charger_row(s, cp_id).id
        seen = {
            (event_id, at)
            for event_id, at in s.execute(
                select(DeviceEvent.event_id, DeviceEvent.timestamp).where(
                    DeviceEvent.charger_id == charger_pk,
                    tuple_(DeviceEvent.event_id, DeviceEvent.timestamp).in_(list(found)),
                )
            )
        }
        fresh = [e for key, e in found.items() if key not in seen]
        severities = _severities(s, charger_pk, {e.monitor_id for e in fresh})
        for e in fresh:
            severity = None if e.monitor_id is None else severities.get(e.monitor_id)
            s.add(_event_row(charger_pk, e, severity))
        return len(fresh)


def _severities(s: Session, charger_pk: int, monitor_ids: set[int | None]) -> dict[int, int]:
    ids = [i for i in monitor_ids if i is not None]
    if not ids:
        return {}
    rows = s.execute(
        select(ChargerMonitor.monitor_id, ChargerMonitor.severity).where(
            ChargerMonitor.charger_id == charger_pk, ChargerMonitor.monitor_id.in_(ids)
        )
    )
    return {monitor_id: severity for monitor_id, severity in rows}


def _event_row(charger_pk: int, e: DeviceEventReport, severity: int | None) -> DeviceEvent:
    return DeviceEvent(
        charger_id=charger_pk,
        event_id=e.event_id,
        timestamp=e.timestamp,
        trigger=e.trigger,
        notification_type=e.notification_type,
        **asdict(e.target),
        actual_value=e.actual_value,
        cause=e.cause,
        tech_code=e.tech_code,
        tech_info=e.tech_info,
        cleared=e.cleared,
        transaction_ref=e.transaction_ref,
        monitor_id=e.monitor_id,
        severity=severity,
    )
