"""Batched persistence of high-volume charger reports (connector status, meter samples)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import (
    Charger,
    ChargerEvent,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    MeterValue,
    TransactionStatus,
)
from ocpp_server import configuration, evses, rules
from ocpp_server.events import BootReport, MeterReport, Report, StatusReport
from ocpp_server.services import meter_rows

log = logging.getLogger(__name__)
Batch = list[tuple[str, Report]]
_METER_VALUES = cast(Table, MeterValue.__table__)
_STATUS_EVENTS = cast(Table, ConnectorStatusEvent.__table__)


def _status_row(charger_pk: int, r: StatusReport) -> dict[str, Any]:
    return {
        "charger_id": charger_pk,
        "connector_id": r.connector_id,
        "status": r.status,
        "error_code": r.error_code,
        "info": r.info,
        "vendor_id": r.vendor_id,
        "vendor_error_code": r.vendor_error_code,
        "evse_connector_id": r.evse_connector_id,
        "timestamp": r.timestamp,
        "received_at": utcnow(),
    }


def _apply_live_status(s: Session, latest: dict[tuple[int, int], dict[str, Any]]) -> None:
    """Newest report per connector becomes its live state (older, late reports do not)."""
    if not latest:
        return
    existing = {
        (c.charger_id, c.connector_id): c
        for c in s.scalars(
            select(Connector).where(Connector.charger_id.in_({c for c, _ in latest}))
        )
    }
    for key, row in latest.items():
        conn = existing.get(key)
        if conn is None:
            conn = Connector(charger_id=key[0], connector_id=key[1])
            s.add(conn)
        if conn.status_at is None or row["timestamp"] >= conn.status_at:
            conn.status, conn.error_code = row["status"], row["error_code"]
            conn.info, conn.vendor_error_code = row["info"], row["vendor_error_code"]
            conn.status_at = row["timestamp"]


@dataclass(slots=True)
class _Tx:
    """What a batch of readings may change of a session, read as plain values (loading whole
    ORM objects every 100 ms cost the writer more than its inserts)."""

    id: int
    ref: str
    status: str
    connector_id: int
    evse_connector_id: int | None
    charging_ended_at: datetime | None
    last_seq_no: int | None
    changed: bool = False

    def values(self) -> dict[str, Any]:
        """The changed session's row update (by primary key)."""
        return {
            "id": self.id,
            "connector_id": self.connector_id,
            "evse_connector_id": self.evse_connector_id,
            "charging_ended_at": self.charging_ended_at,
            "last_seq_no": self.last_seq_no,
        }


def _transactions(s: Session, pks: dict[str, int], items: Batch) -> dict[tuple[int, str], _Tx]:
    """The transactions the meter reports of a batch name, by (charger pk, transaction ref)."""
    refs = {
        (pks[cp], r.transaction_ref)
        for cp, r in items
        if isinstance(r, MeterReport) and r.transaction_ref is not None and cp in pks
    }
    if not refs:
        return {}
    rows = s.execute(
        select(
            ChargingTransaction.charger_id,
            ChargingTransaction.id,
            ChargingTransaction.transaction_ref,
            ChargingTransaction.status,
            ChargingTransaction.connector_id,
            ChargingTransaction.evse_connector_id,
            ChargingTransaction.charging_ended_at,
            ChargingTransaction.last_seq_no,
        ).where(
            ChargingTransaction.charger_id.in_({c for c, _ in refs}),
            ChargingTransaction.transaction_ref.in_({r for _, r in refs}),
        )
    )
    return {
        (charger_pk, ref or ""): _Tx(pk, ref or "", status, connector, inside, idle, seq)
        for charger_pk, pk, ref, status, connector, inside, idle, seq in rows
    }


def _meter(txs: dict[tuple[int, str], _Tx], pk: int, r: MeterReport) -> list[dict[str, Any]]:
    tx = txs.get((pk, r.transaction_ref)) if r.transaction_ref is not None else None
    if tx is not None:
        _note(tx, r)
    return meter_rows(pk, r.connector_id, tx.id if tx else None, r.samples)


def _note(tx: _Tx, r: MeterReport) -> None:
    """What readings tell of their session: where it runs, when charging stopped, seqNo."""
    before = (tx.connector_id, tx.evse_connector_id, tx.charging_ended_at, tx.last_seq_no)
    if not tx.connector_id and r.connector_id:
        tx.connector_id = r.connector_id  # 2.0.1 names the EVSE once the station knows it
    if tx.evse_connector_id is None and r.evse_connector_id is not None:
        tx.evse_connector_id = r.evse_connector_id
    if tx.status == TransactionStatus.ACTIVE:
        ordered = sorted(r.samples, key=lambda m: m.timestamp)
        tx.charging_ended_at = rules.idle_since(tx.charging_ended_at, ordered)
    if r.seq_no is not None:
        tx.last_seq_no, note = rules.next_seq_no(tx.last_seq_no, r.seq_no)
        if note is not None:
            log.info("transaction %s: %s", tx.ref, note)
    after = (tx.connector_id, tx.evse_connector_id, tx.charging_ended_at, tx.last_seq_no)
    tx.changed = tx.changed or after != before


def _boot_rows(pk: int, b: BootReport) -> tuple[dict[str, Any], dict[str, Any]]:
    """The charger row update and the event row of a boot."""
    info = b.info
    values: dict[str, Any] = {
        "id": pk,
        "vendor": info.vendor,
        "model": info.model,
        "firmware_version": info.firmware_version,
        "iccid": info.iccid,
        "imsi": info.imsi,
        "meter_type": info.meter_type,
        "meter_serial_number": info.meter_serial_number,
        "ocpp_version": info.protocol,
        "last_boot_at": b.timestamp,
    }
    if info.serial_number:
        values["serial_number"] = info.serial_number
    event = {"charger_id": pk, "action": "BootNotification", "payload": b.raw}
    return values, {**event, "received_at": b.timestamp}


def _keep_newest(latest: dict[Any, dict[str, Any]], key: Any, row: dict[str, Any]) -> None:
    if key not in latest or row["timestamp"] >= latest[key]["timestamp"]:
        latest[key] = row


@dataclass
class _Rows:
    """The rows one batch of reports becomes, gathered before one bulk write each."""

    events: list[dict[str, Any]] = field(default_factory=list)
    latest: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # 2.0.1: per connector inside an EVSE (the EVSE's own state is summed up from them).
    inside: dict[evses.Key, dict[str, Any]] = field(default_factory=dict)
    meters: list[dict[str, Any]] = field(default_factory=list)
    boots: dict[int, dict[str, Any]] = field(default_factory=dict)
    boot_events: list[dict[str, Any]] = field(default_factory=list)

    def add(self, pk: int, report: Report, txs: dict[tuple[int, str], _Tx]) -> None:
        """One report's rows."""
        if isinstance(report, StatusReport):
            row = _status_row(pk, report)
            self.events.append(row)
            if report.evse_connector_id is not None:
                _keep_newest(self.inside, (pk, report.connector_id, report.evse_connector_id), row)
            else:
                _keep_newest(self.latest, (pk, report.connector_id), row)
        elif isinstance(report, BootReport):
            self.boots[pk], event = _boot_rows(pk, report)  # the newest boot of a charger wins
            self.boot_events.append(event)
        else:
            self.meters.extend(_meter(txs, pk, report))

    def store(self, s: Session, txs: dict[tuple[int, str], _Tx]) -> None:
        """Bulk inserts and updates, then the connectors' live state."""
        changed = [tx.values() for tx in txs.values() if tx.changed]
        if changed:
            s.execute(update(ChargingTransaction), changed)
        # Core inserts of the tables: the ORM's bulk path added a third to the writer's cost.
        if self.events:
            s.execute(insert(_STATUS_EVENTS), self.events)
        if self.meters:
            s.execute(insert(_METER_VALUES), self.meters)
        if self.boots:
            s.execute(update(Charger), list(self.boots.values()))
            s.execute(insert(ChargerEvent), self.boot_events)
            configuration.rebooted(s, list(self.boots))
        _apply_live_status(s, self.latest)
        evses.apply_statuses(s, self.inside)
        # No last_seen update here: the server's liveness batch records every message once a
        # second, and rewriting charger rows every 100 ms costs the database dearly.


def write_batch(db: Database, items: Batch) -> int:
    """Persist queued reports with bulk inserts; answers how many were stored."""
    if not items:
        return 0
    written = 0
    with db.transaction() as s:
        pks = dict(
            s.execute(
                select(Charger.charge_point_id, Charger.id).where(
                    Charger.charge_point_id.in_({cp for cp, _ in items})
                )
            ).all()
        )
        txs = _transactions(s, pks, items)
        rows = _Rows()
        for cp_id, report in items:
            pk = pks.get(cp_id)
            if pk is None:
                log.warning("dropped a report of unknown charger %s", cp_id)
                continue
            rows.add(pk, report, txs)
            written += 1
        rows.store(s, txs)
    return written
