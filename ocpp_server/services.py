"""Use cases of the CSMS, one transaction each (run in worker threads, never across an await)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from mobility.clock import parse_iso, utcnow
from mobility.config import Settings
from mobility.db import Database
from mobility.errors import DomainError, NotFound
from mobility.models import (
    Charger,
    ChargerCommand,
    ChargerEvent,
    ChargingTransaction,
    CommandStatus,
    Connector,
    ConnectorStatusEvent,
    IdToken,
    MeterValue,
    RegistrationStatus,
    Reservation,
    TransactionStatus,
)
from mobility.security import same, token_digest
from ocpp_server import rules

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthOutcome:
    """Whether a charger may open a websocket, and why not."""

    allowed: bool
    reason: str = ""


def _charger(s: Session, cp_id: str) -> Charger:
    charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
    if charger is None:
        raise NotFound(f"Unknown charger {cp_id}.")
    return charger


def authenticate(db: Database, settings: Settings, cp_id: str, password: str | None) -> AuthOutcome:
    """Security profile 1: HTTP Basic password per charger; unknown chargers per configuration."""
    if not rules.valid_charge_point_id(cp_id):
        return AuthOutcome(False, "Invalid charge point id")
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
        if charger is None:
            if not settings.ocpp_auto_register:
                return AuthOutcome(False, "Unknown charge point")
            s.add(
                Charger(
                    charge_point_id=cp_id,
                    registration_status=RegistrationStatus.PENDING,
                    password_hash=token_digest(password) if password else None,
                    heartbeat_interval=settings.heartbeat_interval,
                )
            )
            return AuthOutcome(True)
        if charger.password_hash is None:
            return (
                AuthOutcome(True)
                if settings.ocpp_auto_register
                else AuthOutcome(False, "Charge point has no password configured")
            )
        if password is None or not same(charger.password_hash, token_digest(password)):
            return AuthOutcome(False, "Wrong password")
        return AuthOutcome(True)


def record_connection(db: Database, cp_id: str, node: str, connected: bool) -> None:
    """Track which node holds the charger's socket."""
    now = utcnow()
    with db.transaction() as s:
        values: dict[str, Any] = (
            {"is_online": True, "connected_node": node, "connected_at": now, "last_seen_at": now}
            if connected
            else {"is_online": False, "connected_node": None, "disconnected_at": now}
        )
        stmt = update(Charger).where(Charger.charge_point_id == cp_id)
        if not connected:
            stmt = stmt.where(Charger.connected_node == node)
        s.execute(stmt.values(**values))


def record_boot(
    db: Database, settings: Settings, cp_id: str, payload: dict[str, Any]
) -> tuple[str, int]:
    """Store a BootNotification; answer the registration status and heartbeat interval."""
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        now = utcnow()
        charger.vendor = payload.get("charge_point_vendor")
        charger.model = payload.get("charge_point_model")
        charger.serial_number = payload.get("charge_point_serial_number") or charger.serial_number
        charger.firmware_version = payload.get("firmware_version")
        charger.iccid = payload.get("iccid")
        charger.imsi = payload.get("imsi")
        charger.meter_type = payload.get("meter_type")
        charger.meter_serial_number = payload.get("meter_serial_number")
        charger.ocpp_version = "1.6"
        charger.last_boot_at = charger.last_seen_at = now
        charger.is_online = True
        charger.heartbeat_interval = charger.heartbeat_interval or settings.heartbeat_interval
        s.add(ChargerEvent(charger_id=charger.id, action="BootNotification", payload=payload))
        return charger.registration_status, charger.heartbeat_interval


def touch(db: Database, cp_ids: list[str]) -> None:
    """Mark chargers as alive now (batched from heartbeats and other messages)."""
    if not cp_ids:
        return
    with db.transaction() as s:
        s.execute(
            update(Charger)
            .where(Charger.charge_point_id.in_(cp_ids))
            .values(last_seen_at=utcnow(), is_online=True)
        )


def id_tag_info(s: Session, settings: Settings, id_tag: str) -> dict[str, Any]:
    """OCPP 1.6 IdTagInfo for a tag: status, expiry, parent (cards of users and fleets)."""
    token = s.scalar(select(IdToken).where(IdToken.id_tag == id_tag))
    if token is None:
        return {"status": "Invalid"}
    cache = settings.auth_cache_hours
    return rules.id_tag_info(
        token.status,
        token.expires_at,
        token.parent_id_tag,
        utcnow(),
        timedelta(hours=cache) if cache > 0 else None,
    )


def authorize(db: Database, id_tag: str) -> dict[str, Any]:
    """Answer an Authorize request."""
    with db.sessions() as s:
        return id_tag_info(s, db.settings, id_tag)


def _timestamp(raw: Any) -> datetime:
    if not raw:
        return utcnow()
    try:
        return parse_iso(str(raw))
    except ValueError:
        return utcnow()


def start_transaction(db: Database, cp_id: str, p: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Open a charging session (idempotent for a replayed StartTransaction)."""
    started = _timestamp(p.get("timestamp"))
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        connector_no = int(p["connector_id"])
        info = id_tag_info(s, db.settings, p["id_tag"])
        duplicate = s.scalar(
            select(ChargingTransaction).where(
                ChargingTransaction.charger_id == charger.id,
                ChargingTransaction.connector_id == connector_no,
                ChargingTransaction.id_tag == p["id_tag"],
                ChargingTransaction.started_at == started,
                ChargingTransaction.meter_start_wh == int(p["meter_start"]),
            )
        )
        if duplicate is not None:
            return duplicate.id, info
        token = s.scalar(select(IdToken).where(IdToken.id_tag == p["id_tag"]))
        tx = ChargingTransaction(
            charger_id=charger.id,
            connector_id=connector_no,
            id_tag=p["id_tag"],
            id_token_id=token.id if token else None,
            user_id=token.user_id if token else None,
            company_id=token.company_id if token else None,
            vehicle_id=token.vehicle_id if token else None,
            reservation_id=p.get("reservation_id"),
            meter_start_wh=int(p["meter_start"]),
            started_at=started,
            auth_status=info["status"],
        )
        s.add(tx)
        if p.get("reservation_id") is not None:
            s.execute(
                update(Reservation)
                .where(
                    Reservation.id == int(p["reservation_id"]), Reservation.charger_id == charger.id
                )
                .values(status="used")
            )
        s.flush()
        return tx.id, info


def stop_transaction(
    db: Database, settings: Settings, cp_id: str, p: dict[str, Any]
) -> dict[str, Any] | None:
    """Close a session once; replays change nothing; unknown ids are recorded as orphans."""
    stopped = _timestamp(p.get("timestamp"))
    tx_id = int(p["transaction_id"])
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        tx = s.get(ChargingTransaction, tx_id, with_for_update=True)
        if tx is not None and tx.charger_id != charger.id:
            tx = None  # another charger's id: never let one station close another's session
        if tx is None:
            tx = ChargingTransaction(
                charger_id=charger.id,
                connector_id=0,
                remote_transaction_id=str(tx_id),
                id_tag=p.get("id_tag") or "",
                meter_start_wh=int(p["meter_stop"]),
                started_at=stopped,
                orphan=True,
            )
            s.add(tx)
            s.flush()
        elif tx.status == TransactionStatus.COMPLETED:
            return id_tag_info(s, settings, p["id_tag"]) if p.get("id_tag") else None
        tx.meter_stop_wh = int(p["meter_stop"])
        tx.stopped_at = stopped
        tx.stop_reason = p.get("reason") or "Local"
        tx.stop_id_tag = p.get("id_tag")
        tx.status = TransactionStatus.COMPLETED
        tx.charging_ended_at = tx.charging_ended_at or stopped
        _store_meter_values(s, charger.id, tx.connector_id, tx.id, p.get("transaction_data") or [])
        s.flush()
        _settle(s, settings, tx)
        return id_tag_info(s, settings, p["id_tag"]) if p.get("id_tag") else None


def _settle(s: Session, settings: Settings, tx: ChargingTransaction) -> None:
    """The one place a finished session is handed to billing (skipped when already billed)."""
    if tx.billed or tx.orphan:
        return
    from billing.facade import Billing

    try:
        with s.begin_nested():
            Billing(settings).settle_charging(s, tx)
    except DomainError as exc:
        # Keep the stop; the unbilled-sessions job retries once the cause (e.g. tariff) is fixed.
        log.warning("could not bill transaction %s: %s", tx.id, exc)


def settle_unbilled(db: Database, settings: Settings, limit: int = 200) -> int:
    """Bill completed sessions that were not billed yet (job; safe to run twice)."""
    with db.sessions() as s:
        ids = list(
            s.scalars(
                select(ChargingTransaction.id)
                .where(
                    ChargingTransaction.status == TransactionStatus.COMPLETED,
                    ChargingTransaction.billed.is_(False),
                    ChargingTransaction.orphan.is_(False),
                )
                .limit(limit)
            )
        )
    for tx_id in ids:
        with db.transaction() as s:
            tx = s.get(ChargingTransaction, tx_id, with_for_update=True)
            if tx is not None:
                _settle(s, settings, tx)
    return len(ids)


def _meter_rows(
    charger_id: int, connector_id: int, tx_id: int | None, values: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    rows = []
    for mv in values:
        ts = _timestamp(mv.get("timestamp"))
        for sv in mv.get("sampled_value") or []:
            try:
                value = Decimal(str(sv["value"]))
            except (InvalidOperation, KeyError):
                continue  # a garbled sample is skipped, the rest of the message is kept
            if not value.is_finite():
                continue
            rows.append(
                {
                    "charger_id": charger_id,
                    "connector_id": connector_id,
                    "transaction_id": tx_id,
                    "timestamp": ts,
                    "measurand": sv.get("measurand") or "Energy.Active.Import.Register",
                    "value": value,
                    "unit": sv.get("unit") or rules.default_unit(sv.get("measurand")),
                    "phase": sv.get("phase"),
                    "context": sv.get("context"),
                    "location": sv.get("location"),
                    "raw_format": sv.get("format"),
                }
            )
    return rows


def _store_meter_values(
    s: Session, charger_id: int, connector_id: int, tx_id: int | None, values: list[dict[str, Any]]
) -> int:
    rows = _meter_rows(charger_id, connector_id, tx_id, values)
    if rows:
        s.execute(insert(MeterValue), rows)
    return len(rows)


def _status_rows(charger_pk: int, p: dict[str, Any]) -> tuple[dict[str, Any], tuple[int, int]]:
    ts = _timestamp(p.get("timestamp"))
    row = {
        "charger_id": charger_pk,
        "connector_id": int(p["connector_id"]),
        "status": str(p["status"]),
        "error_code": p.get("error_code", "NoError"),
        "info": p.get("info"),
        "vendor_id": p.get("vendor_id"),
        "vendor_error_code": p.get("vendor_error_code"),
        "timestamp": ts,
        "received_at": utcnow(),
    }
    return row, (charger_pk, row["connector_id"])


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


def _meter_item(
    s_txs: dict[int, ChargingTransaction], pk: int, p: dict[str, Any]
) -> list[dict[str, Any]]:
    tx = s_txs.get(int(p["transaction_id"])) if p.get("transaction_id") is not None else None
    tx = tx if tx is not None and tx.charger_id == pk else None
    rows = _meter_rows(
        pk, int(p["connector_id"]), tx.id if tx else None, p.get("meter_value") or []
    )
    if not rows:
        raise ValueError("no readable sample")
    if tx is not None and tx.status == TransactionStatus.ACTIVE and tx.charging_ended_at is None:
        tx.charging_ended_at = rules.charging_ended_at(p.get("meter_value") or [])
    return rows


def write_batch(db: Database, items: list[tuple[str, str, dict[str, Any]]]) -> int:
    """Persist queued StatusNotification / MeterValues reports with bulk inserts."""
    if not items:
        return 0
    written = 0
    with db.transaction() as s:
        pks = dict(
            s.execute(
                select(Charger.charge_point_id, Charger.id).where(
                    Charger.charge_point_id.in_({cp for cp, _, _ in items})
                )
            ).all()
        )
        tx_ids = {
            int(p["transaction_id"])
            for _, kind, p in items
            if kind == "meter" and p.get("transaction_id") is not None
        }
        txs = (
            {
                t.id: t
                for t in s.scalars(
                    select(ChargingTransaction).where(ChargingTransaction.id.in_(tx_ids))
                )
            }
            if tx_ids
            else {}
        )
        events: list[dict[str, Any]] = []
        latest: dict[tuple[int, int], dict[str, Any]] = {}
        meters: list[dict[str, Any]] = []
        for cp_id, kind, p in items:
            pk = pks.get(cp_id)
            if pk is None:
                continue
            try:
                if kind == "status":
                    row, key = _status_rows(pk, p)
                    events.append(row)
                    if key not in latest or row["timestamp"] >= latest[key]["timestamp"]:
                        latest[key] = row
                else:
                    meters.extend(_meter_item(txs, pk, p))
                written += 1
            except (KeyError, ValueError, TypeError):
                # One malformed report must not sink the batch (it was schema-valid on receipt).
                log.warning("dropped %s report of %s", kind, cp_id)
        if events:
            s.execute(insert(ConnectorStatusEvent), events)
        if meters:
            s.execute(insert(MeterValue), meters)
        _apply_live_status(s, latest)
        # No last_seen update here: the server's liveness batch records every message once a
        # second, and rewriting charger rows every 100 ms costs the database dearly.
    return written


def record_event(db: Database, cp_id: str, action: str, payload: dict[str, Any]) -> None:
    """Keep DataTransfer / diagnostics / firmware reports; update the charger's status fields."""
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        s.add(ChargerEvent(charger_id=charger.id, action=action, payload=payload))
        if action == "DiagnosticsStatusNotification":
            charger.diagnostics_status = payload.get("status")
        elif action == "FirmwareStatusNotification":
            charger.firmware_status = payload.get("status")
        charger.last_seen_at = utcnow()


def command_started(
    db: Database, cp_id: str, action: str, payload: dict[str, Any], user_id: int | None = None
) -> int:
    """Persist a CSMS-initiated command before it is sent."""
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        cmd = ChargerCommand(
            charger_id=charger.id, action=action, payload=payload, requested_by_id=user_id
        )
        s.add(cmd)
        s.flush()
        return cmd.id


def command_finished(
    db: Database,
    command_id: int,
    status: CommandStatus,
    response: dict[str, Any] | None = None,
    error: str | None = None,
) -> None:
    """Persist a command's outcome and its side effects (reservations, profiles, local list)."""
    with db.transaction() as s:
        cmd = s.get(ChargerCommand, command_id)
        if cmd is None:
            return
        cmd.status, cmd.response, cmd.error, cmd.answered_at = status, response, error, utcnow()
        if status == CommandStatus.ANSWERED and response is not None:
            rules_side_effects(s, cmd, response)


def rules_side_effects(s: Session, cmd: ChargerCommand, response: dict[str, Any]) -> None:
    """Mirror accepted commands in our records."""
    accepted = response.get("status") in ("Accepted", "Scheduled")
    p = cmd.payload
    if cmd.action == "ReserveNow" and accepted:
        s.execute(
            update(Reservation)
            .where(Reservation.id == p["reservationId"])
            .values(status="accepted")
        )
    elif cmd.action == "ReserveNow":
        s.execute(
            update(Reservation)
            .where(Reservation.id == p["reservationId"])
            .values(status=str(response.get("status", "rejected")).lower())
        )
    elif cmd.action == "CancelReservation" and accepted:
        s.execute(
            update(Reservation)
            .where(Reservation.id == p["reservationId"])
            .values(status="cancelled")
        )
    elif cmd.action == "ChangeAvailability" and accepted:
        stmt = update(Connector).where(Connector.charger_id == cmd.charger_id)
        if p["connectorId"]:  # connector 0 means the whole charger
            stmt = stmt.where(Connector.connector_id == p["connectorId"])
        s.execute(stmt.values(availability=p["type"]))
    elif cmd.action == "SendLocalList" and accepted:
        s.execute(
            update(Charger)
            .where(Charger.id == cmd.charger_id)
            .values(local_list_version=p["listVersion"])
        )
    elif cmd.action == "GetLocalListVersion":
        s.execute(
            update(Charger)
            .where(Charger.id == cmd.charger_id)
            .values(local_list_version=response.get("listVersion", 0))
        )


def create_reservation(
    db: Database, cp_id: str, connector_id: int, id_tag: str, expires_at: datetime
) -> int:
    """A reservation row whose id is sent to the charger in ReserveNow."""
    with db.transaction() as s:
        charger = _charger(s, cp_id)
        res = Reservation(
            charger_id=charger.id, connector_id=connector_id, id_tag=id_tag, expires_at=expires_at
        )
        s.add(res)
        s.flush()
        return res.id


def mark_offline(db: Database, grace_s: int) -> list[str]:
    """Chargers silent for longer than their heartbeat interval + grace are offline (job)."""
    now = utcnow()
    with db.transaction() as s:
        candidates = s.execute(
            select(
                Charger.id,
                Charger.charge_point_id,
                Charger.last_seen_at,
                Charger.heartbeat_interval,
            ).where(Charger.is_online.is_(True))
        ).all()
        stale = [
            (cid, cp)
            for cid, cp, seen, interval in candidates
            if seen is None or seen < now - timedelta(seconds=interval + grace_s)
        ]
        if stale:
            s.execute(
                update(Charger)
                .where(Charger.id.in_([cid for cid, _ in stale]))
                .values(is_online=False, connected_node=None)
            )
        return [cp for _, cp in stale]
