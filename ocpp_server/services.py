"""The version-neutral charging core: one transaction per use case, in protocol-neutral terms.

Protocol adapters call these from worker threads (never holding a session across an await).
Billing of a finished session records its payment intents in the same transaction; the money
moves after commit (see `billing.payments`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ColumnElement, String, func, insert, literal, select, update
from sqlalchemy.orm import Session

from billing.facade import Billing
from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database, rowcount
from mobility.errors import DomainError, NotFound
from mobility.models import (
    Charger,
    ChargerConnectionEvent,
    ChargerEvent,
    ChargingProfileRecord,
    ChargingTransaction,
    Connector,
    IdToken,
    Invoice,
    InvoiceKind,
    MeterValue,
    RegistrationStatus,
    Reservation,
    ReservationStatus,
    TransactionStatus,
    UTCDateTime,
)
from mobility.money import to_major
from mobility.roaming import NoFeed, SessionFeed, roaming_grant
from mobility.security import same, token_digest
from ocpp_server import authlist, rules
from ocpp_server.events import (
    Authorization,
    BootAnswer,
    MeterSample,
    TransactionAnswer,
    TransactionClosed,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)
from ocpp_server.security import rules as security_rules

log = logging.getLogger(__name__)
ORPHAN_PREFIX = "orphan:"
# A handshake's credentials: charge point id, HTTP Basic password, security profile (1-3).
Attempt = tuple[str, str | None, int]


@dataclass(frozen=True)
class AuthOutcome:
    """Whether a charger may open a websocket, why not, and what its boot will be answered."""

    allowed: bool
    reason: str = ""
    boot: BootAnswer | None = None
    protocol: str | None = None  # the OCPP version the charger last booted with, if any


def charger_row(s: Session, cp_id: str) -> Charger:
    """The charger with this charge point id, or NotFound."""
    charger = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
    if charger is None:
        raise NotFound(f"Unknown charger {cp_id}.")
    return charger


def meter_rows(
    charger_pk: int, connector_id: int, tx_pk: int | None, samples: tuple[MeterSample, ...]
) -> list[dict[str, Any]]:
    """MeterValue rows for normalised samples."""
    return [
        {
            "charger_id": charger_pk,
            "connector_id": connector_id,
            "transaction_id": tx_pk,
            "timestamp": m.timestamp,
            "measurand": m.measurand,
            "value": m.value,
            "unit": m.unit,
            "phase": m.phase,
            "context": m.context,
            "location": m.location,
            "raw_format": m.raw_format,
        }
        for m in samples
    ]


@dataclass(frozen=True)
class RunningCost:
    """A running session's cost so far, incl. VAT, in its currency's major unit."""

    charge_point_id: str
    transaction_ref: str
    total: Decimal
    currency: str


class ChargingService:
    """Chargers, tokens and charging sessions of the platform."""

    def __init__(
        self, db: Database, settings: Settings, billing: Billing, feed: SessionFeed | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.billing = billing
        self.feed = feed or NoFeed()  # roaming sessions are pushed to their partner

    # -- connections --------------------------------------------------------------------
    def authenticate(self, cp_id: str, password: str | None, profile: int = 1) -> AuthOutcome:
        """HTTP Basic password per charger (profiles 1-2), its security profile never lowered."""
        return self.authenticate_many([(cp_id, password, profile)])[0]

    def authenticate_many(self, attempts: list[Attempt]) -> list[AuthOutcome]:
        """Check many chargers' credentials with one query (a reconnect storm's handshakes).

        A read (no write lock) unless an unknown charger is registered or a charger came on a
        higher security profile than before; each outcome carries the answer the charger's
        BootNotification will get.
        """
        wanted = {cp for cp, _, _ in attempts if rules.valid_charge_point_id(cp)}
        rows: dict[str, Any] = {}
        if wanted:
            with self.db.sessions() as s:
                found = s.execute(
                    select(
                        Charger.charge_point_id,
                        Charger.password_hash,
                        Charger.registration_status,
                        Charger.heartbeat_interval,
                        Charger.ocpp_version,
                        Charger.security_profile,
                        Charger.local_list_synced_version,
                        Charger.local_list_status,
                    ).where(Charger.charge_point_id.in_(wanted))
                )
                rows = {r[0]: r[1:] for r in found}
        outcomes = [self._outcome(cp, pw, profile, rows) for cp, pw, profile in attempts]
        self._raise_profiles(attempts, outcomes, rows)
        return outcomes

    def _outcome(
        self, cp_id: str, password: str | None, profile: int, rows: dict[str, Any]
    ) -> AuthOutcome:
        if not rules.valid_charge_point_id(cp_id):
            return AuthOutcome(False, "Invalid charge point id")
        row = rows.get(cp_id)
        if row is None:
            return self._register(cp_id, password, profile)
        digest, status, interval, protocol, stored_profile, synced, list_status = row
        # Read here, with the credentials: a reconnect storm's boots need no further query.
        boot = BootAnswer(
            status,
            interval or self.settings.heartbeat_interval,
            authlist.never_synced(synced, list_status),
        )
        refusal = security_rules.profile_refusal(stored_profile, profile)
        if refusal is not None:
            return AuthOutcome(False, refusal)
        if profile not in security_rules.BASIC_AUTH_PROFILES:
            # Profile 3: the node checked that the client certificate names this charger.
            return AuthOutcome(True, boot=boot, protocol=protocol)
        if digest is None:
            if self.settings.ocpp_auto_register:
                return AuthOutcome(True, boot=boot, protocol=protocol)
            return AuthOutcome(False, "Charge point has no password configured")
        if password is None or not same(digest, token_digest(password)):
            return AuthOutcome(False, "Wrong password")
        return AuthOutcome(True, boot=boot, protocol=protocol)

    def _raise_profiles(
        self, attempts: list[Attempt], outcomes: list[AuthOutcome], rows: dict[str, Any]
    ) -> None:
        """Chargers admitted on a higher profile than before keep it from now on."""
        raised: dict[int, list[str]] = {}
        for (cp_id, _, profile), outcome in zip(attempts, outcomes, strict=True):
            row = rows.get(cp_id)
            if outcome.allowed and row is not None:
                new = security_rules.raised_profile(row[4], profile)
                if new is not None:
                    raised.setdefault(new, []).append(cp_id)
        if not raised:
            return
        with self.db.transaction() as s:
            for profile, cp_ids in raised.items():
                s.execute(
                    update(Charger)
                    .where(Charger.charge_point_id.in_(cp_ids), Charger.security_profile < profile)
                    .values(security_profile=profile)
                )
        log.info("security profile raised: %s", raised)

    def _register(self, cp_id: str, password: str | None, profile: int = 1) -> AuthOutcome:
        """An unknown charger: refused, or (OCPP_AUTO_REGISTER) kept as Pending."""
        if not self.settings.ocpp_auto_register:
            return AuthOutcome(False, "Unknown charge point")
        interval = self.settings.heartbeat_interval
        with self.db.transaction() as s:
            if s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id)) is None:
                s.add(
                    Charger(
                        charge_point_id=cp_id,
                        registration_status=RegistrationStatus.PENDING,
                        password_hash=token_digest(password) if password else None,
                        heartbeat_interval=interval,
                        security_profile=profile,
                    )
                )
        return AuthOutcome(True, boot=BootAnswer(RegistrationStatus.PENDING, interval, True))

    def record_connections(self, held: list[str], gone: list[str], node: str) -> None:
        """Which chargers this node now holds, and which it no longer holds (one transaction)."""
        now = utcnow()
        with self.db.transaction() as s:
            if held:
                came = (Charger.charge_point_id.in_(held),)
                _log_presence(s, came, True, now, node)
                s.execute(
                    update(Charger)
                    .where(*came)
                    .values(is_online=True, connected_node=node, connected_at=now, last_seen_at=now)
                )
            if gone:
                # Only rows still naming this node: the charger may already be on another one.
                left = (Charger.charge_point_id.in_(gone), Charger.connected_node == node)
                _log_presence(s, left, False, now, node)
                s.execute(
                    update(Charger)
                    .where(*left)
                    .values(is_online=False, connected_node=None, disconnected_at=now)
                )

    def boot_answer(self, cp_id: str) -> BootAnswer:
        """Registration status and heartbeat interval for a charger's BootNotification."""
        with self.db.sessions() as s:
            row = s.execute(
                select(
                    Charger.registration_status,
                    Charger.heartbeat_interval,
                    Charger.local_list_synced_version,
                    Charger.local_list_status,
                ).where(Charger.charge_point_id == cp_id)
            ).first()
        if row is None:
            raise NotFound(f"Unknown charger {cp_id}.")
        return BootAnswer(
            row[0], row[1] or self.settings.heartbeat_interval, authlist.never_synced(*row[2:])
        )

    def touch(self, cp_ids: list[str], node: str) -> None:
        """Mark chargers this node holds as alive now (batched signs of life).

        Only rows still naming this node: a charger that disconnected meanwhile (its row
        cleared) is never marked online again by a late batch.
        """
        if not cp_ids:
            return
        with self.db.transaction() as s:
            s.execute(
                update(Charger)
                .where(Charger.charge_point_id.in_(cp_ids), Charger.connected_node == node)
                .values(last_seen_at=utcnow(), is_online=True)
            )

    # -- authorisation --------------------------------------------------------------------
    def _authorization(self, s: Session, id_token: str) -> Authorization:
        token = s.scalar(select(IdToken).where(IdToken.id_tag == id_token))
        hours = self.settings.auth_cache_hours
        cache = timedelta(hours=hours) if hours > 0 else None
        if token is None:
            # Not ours: a roaming partner's driver, as the partner last told us.
            grant = roaming_grant(s, id_token)
            if grant is None:
                return Authorization("Invalid")
            return rules.authorization(grant.status, None, None, utcnow(), cache)
        return rules.authorization(
            token.status, token.expires_at, token.parent_id_tag, utcnow(), cache
        )

    def authorize(self, id_token: str) -> Authorization:
        """May this token charge?"""
        with self.db.sessions() as s:
            return self._authorization(s, id_token)

    # -- transactions ---------------------------------------------------------------------
    def start_transaction(self, cp_id: str, ev: TransactionStarted) -> TransactionAnswer:
        """Open a charging session (a replayed start answers the same transaction)."""
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            auth = self._authorization(s, ev.id_token)
            existing = self._replayed_start(s, charger.id, ev)
            if existing is not None:
                return TransactionAnswer(existing.transaction_ref or "", auth)
            token = s.scalar(select(IdToken).where(IdToken.id_tag == ev.id_token))
            tx = _new_transaction(charger.id, ev, token, auth)
            s.add(tx)
            s.flush()
            if tx.transaction_ref is None:
                tx.transaction_ref = str(tx.id)  # the CSMS hands out ids (OCPP 1.6)
            if token is None:
                _mark_roaming(s, tx)
            if ev.reservation_id is not None:
                s.execute(
                    update(Reservation)
                    .where(
                        Reservation.id == ev.reservation_id, Reservation.charger_id == charger.id
                    )
                    .values(status=ReservationStatus.USED, transaction_id=tx.id)
                )
            self.feed.changed(s, tx)
            return TransactionAnswer(tx.transaction_ref, auth)

    def _replayed_start(
        self, s: Session, charger_pk: int, ev: TransactionStarted
    ) -> ChargingTransaction | None:
        if ev.transaction_ref is not None:
            return self._by_ref(s, charger_pk, ev.transaction_ref)
        return s.scalar(
            select(ChargingTransaction).where(
                ChargingTransaction.charger_id == charger_pk,
                ChargingTransaction.connector_id == ev.connector_id,
                ChargingTransaction.id_tag == ev.id_token,
                ChargingTransaction.started_at == ev.timestamp,
                ChargingTransaction.meter_start_wh == ev.meter_start_wh,
            )
        )

    @staticmethod
    def _by_ref(
        s: Session, charger_pk: int, ref: str, lock: bool = False
    ) -> ChargingTransaction | None:
        stmt = select(ChargingTransaction).where(
            ChargingTransaction.charger_id == charger_pk, ChargingTransaction.transaction_ref == ref
        )
        return s.scalar(stmt.with_for_update() if lock else stmt)

    def update_transaction(self, cp_id: str, ev: TransactionUpdated) -> Authorization | None:
        """Note news of a running session: its sequence number, readings, a token presented.

        A session started without a token (cable first) is bound to the first one presented.
        """
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            auth = self._authorization(s, ev.id_token) if ev.id_token else None
            tx = self._by_ref(s, charger.id, ev.transaction_ref, lock=True)
            if tx is None:
                log.warning("%s: update for unknown transaction %s", cp_id, ev.transaction_ref)
                return auth
            self._note_seq_no(tx, ev.seq_no)
            _note_place(tx, ev)
            if ev.id_token and not tx.id_tag and auth is not None:
                self._bind_token(s, tx, ev.id_token, auth)
            samples = tuple(sorted(ev.samples, key=lambda m: m.timestamp))
            if tx.status == TransactionStatus.ACTIVE:
                tx.charging_ended_at = rules.idle_since(tx.charging_ended_at, samples)
            rows = meter_rows(charger.id, tx.connector_id, tx.id, samples)
            if rows:
                s.execute(insert(MeterValue), rows)
            self.feed.changed(s, tx)
            return auth

    @staticmethod
    def _note_seq_no(tx: ChargingTransaction, seq_no: int | None) -> None:
        tx.last_seq_no, note = rules.next_seq_no(tx.last_seq_no, seq_no)
        if note is not None:
            log.info("transaction %s: %s", tx.transaction_ref, note)

    @staticmethod
    def _bind_token(
        s: Session, tx: ChargingTransaction, id_token: str, auth: Authorization
    ) -> None:
        token = s.scalar(select(IdToken).where(IdToken.id_tag == id_token))
        tx.id_tag, tx.auth_status = id_token, auth.status
        if token is not None:
            tx.id_token_id, tx.user_id = token.id, token.user_id
            tx.company_id, tx.vehicle_id = token.company_id, token.vehicle_id
        else:
            _mark_roaming(s, tx)

    def end_transaction(self, cp_id: str, ev: TransactionEnded) -> Authorization | None:
        """Close a session once and bill it; replays change nothing; strays become orphans."""
        return self.close_transaction(cp_id, ev).authorization

    def close_transaction(self, cp_id: str, ev: TransactionEnded) -> TransactionClosed:
        """Close a session once and bill it (see end_transaction), with its final cost."""
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            tx = self._by_ref(s, charger.id, ev.transaction_ref, lock=True)
            if tx is None:
                tx = self._stray(s, charger.id, ev)
            auth = self._authorization(s, ev.id_token) if ev.id_token else None
            if tx.status != TransactionStatus.COMPLETED:
                self._close(s, charger, tx, ev)
            return TransactionClosed(auth, *_final_cost(s, tx))

    def _close(
        self, s: Session, charger: Charger, tx: ChargingTransaction, ev: TransactionEnded
    ) -> None:
        """Stop readings, reason and times; priced and billed unless held for review."""
        samples = tuple(sorted(ev.samples, key=lambda m: m.timestamp))
        tx.meter_stop_wh = (
            ev.meter_stop_wh if ev.meter_stop_wh is not None else self._last_register(s, tx)
        )
        tx.stopped_at = ev.timestamp
        tx.stop_reason = ev.reason or "Local"
        tx.stop_id_tag = ev.id_token
        tx.status = TransactionStatus.COMPLETED
        _end_transaction_profiles(s, charger.id, tx.transaction_ref)
        self._note_seq_no(tx, ev.seq_no)
        tx.charging_ended_at = rules.idle_since(tx.charging_ended_at, samples) or ev.timestamp
        rows = meter_rows(charger.id, tx.connector_id, tx.id, samples)
        if rows:
            s.execute(insert(MeterValue), rows)
        s.flush()
        # A clock we could not believe (at start or now) leaves the times to an operator.
        clock = f"stop: {ev.clock_note}" if ev.clock_note else None
        tx.review_reason = tx.review_reason or clock or self._anomaly(s, charger, tx)
        if tx.review_reason is not None:
            log.warning("session %s held for review: %s", tx.id, tx.review_reason)
        self._settle(s, tx)
        self.feed.changed(s, tx, ended=True)

    @staticmethod
    def _last_register(s: Session, tx: ChargingTransaction) -> int:
        """The session's latest stored energy register (none: no energy since the start).

        The whole meter's register, not one phase's, when the charger sends both.
        """
        stmt = (
            select(MeterValue.value)
            .where(
                MeterValue.transaction_id == tx.id,
                MeterValue.measurand == rules.ENERGY_REGISTER,
                MeterValue.unit == "Wh",
            )
            .order_by(MeterValue.timestamp.desc(), MeterValue.id.desc())
            .limit(1)
        )
        value = s.scalar(stmt.where(MeterValue.phase.is_(None)))
        if value is None:
            value = s.scalar(stmt)
        return int(value) if value is not None else tx.meter_start_wh

    @staticmethod
    def _anomaly(s: Session, charger: Charger, tx: ChargingTransaction) -> str | None:
        """Readings that cannot be billed as they are (see rules.meter_anomaly)."""
        if tx.orphan or tx.meter_stop_wh is None or tx.stopped_at is None:
            return None
        rated = s.scalar(
            select(Connector.max_power_w).where(
                Connector.charger_id == charger.id, Connector.connector_id == tx.connector_id
            )
        )
        mean_power = s.scalar(
            select(func.avg(MeterValue.value)).where(
                MeterValue.transaction_id == tx.id, MeterValue.measurand == rules.POWER
            )
        )
        return rules.meter_anomaly(
            tx.meter_start_wh,
            tx.meter_stop_wh,
            int((tx.stopped_at - tx.started_at).total_seconds()),
            rated or charger.max_power_w,
            Decimal(mean_power) if mean_power is not None else None,
        )

    def _stray(self, s: Session, charger_pk: int, ev: TransactionEnded) -> ChargingTransaction:
        """The record of an end for an unknown transaction (one per stray id, not per replay)."""
        ref = ORPHAN_PREFIX + ev.transaction_ref if ev.csms_assigned_ref else ev.transaction_ref
        found = self._by_ref(s, charger_pk, ref, lock=True)
        if found is not None:
            return found
        tx = ChargingTransaction(
            charger_id=charger_pk,
            connector_id=0,
            transaction_ref=ref,
            id_tag=ev.id_token or "",
            meter_start_wh=ev.meter_stop_wh or 0,
            started_at=ev.timestamp,
            orphan=ev.csms_assigned_ref,
        )
        s.add(tx)
        s.flush()
        return tx

    def _settle(self, s: Session, tx: ChargingTransaction) -> None:
        """The one place a finished session is handed to billing (skipped when already billed)."""
        if tx.billed or tx.orphan or tx.review_reason is not None:
            return
        try:
            with s.begin_nested():
                self.billing.settle_charging(s, tx)
        except DomainError as exc:
            # Keep the stop; the unbilled-sessions job retries once the cause (tariff...) is fixed.
            log.warning("could not bill transaction %s: %s", tx.id, exc)

    def settle_unbilled(self, limit: int = 200) -> int:
        """Bill completed sessions that were not billed yet (job; safe to run twice)."""
        with self.db.sessions() as s:
            ids = list(
                s.scalars(
                    select(ChargingTransaction.id)
                    .where(
                        ChargingTransaction.status == TransactionStatus.COMPLETED,
                        ChargingTransaction.billed.is_(False),
                        ChargingTransaction.orphan.is_(False),
                        ChargingTransaction.review_reason.is_(None),
                    )
                    .limit(limit)
                )
            )
        for tx_id in ids:
            with self.db.transaction() as s:
                tx = s.get(ChargingTransaction, tx_id, with_for_update=True)
                if tx is not None:
                    self._settle(s, tx)
        return len(ids)

    def running_costs(self, now: datetime, protocol: str = "2.0.1") -> list[RunningCost]:
        """What each running session on a connected station of `protocol` costs so far."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(ChargingTransaction, Charger.charge_point_id)
                .join(Charger, Charger.id == ChargingTransaction.charger_id)
                .where(
                    ChargingTransaction.status == TransactionStatus.ACTIVE,
                    ChargingTransaction.transaction_ref.is_not(None),
                    Charger.ocpp_version == protocol,
                    Charger.is_online.is_(True),
                )
            ).all()
            out = []
            for tx, cp_id in rows:
                price = self.billing.running_price(s, tx, now)
                total = to_major(price.total_minor, price.currency)
                out.append(RunningCost(cp_id, str(tx.transaction_ref), total, price.currency))
            return out

    # -- other reports --------------------------------------------------------------------
    def record_event(self, cp_id: str, action: str, payload: dict[str, Any]) -> None:
        """Keep a charger message worth keeping (data transfer, firmware, diagnostics)."""
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            s.add(ChargerEvent(charger_id=charger.id, action=action, payload=payload))
            charger.last_seen_at = utcnow()

    def record_firmware_status(
        self,
        cp_id: str,
        status: str,
        payload: dict[str, Any],
        action: str = "FirmwareStatusNotification",
    ) -> None:
        """A firmware update's progress, kept under the protocol's message name."""
        self.record_event(cp_id, action, payload)
        with self.db.transaction() as s:
            charger_row(s, cp_id).firmware_status = status

    def record_diagnostics_status(
        self,
        cp_id: str,
        status: str,
        payload: dict[str, Any],
        action: str = "DiagnosticsStatusNotification",
    ) -> None:
        """A diagnostics (log) upload's progress, kept under the protocol's message name."""
        self.record_event(cp_id, action, payload)
        with self.db.transaction() as s:
            charger_row(s, cp_id).diagnostics_status = status

    def expire_reservations(self) -> int:
        """Reservations past their expiry free their connector (job; safe to run twice)."""
        with self.db.transaction() as s:
            return rowcount(
                s.execute(
                    update(Reservation)
                    .where(
                        Reservation.status.in_(
                            (ReservationStatus.REQUESTED, ReservationStatus.ACCEPTED)
                        ),
                        Reservation.expires_at <= utcnow(),
                    )
                    .values(status=ReservationStatus.EXPIRED)
                )
            )

    def mark_offline(self) -> list[str]:
        """Chargers silent for longer than their heartbeat interval + grace are offline (job)."""
        now = utcnow()
        grace = self.settings.offline_grace
        with self.db.transaction() as s:
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
                if seen is None or seen < now - timedelta(seconds=interval + grace)
            ]
            if stale:
                silent = (Charger.id.in_([cid for cid, _ in stale]),)
                _log_presence(s, silent, False, now, None)
                s.execute(
                    update(Charger).where(*silent).values(is_online=False, connected_node=None)
                )
            return [cp for _, cp in stale]


def _new_transaction(
    charger_pk: int, ev: TransactionStarted, token: IdToken | None, auth: Authorization
) -> ChargingTransaction:
    """The session a start opens, tied to whoever holds the token (user, company, vehicle)."""
    return ChargingTransaction(
        charger_id=charger_pk,
        connector_id=ev.connector_id,
        transaction_ref=ev.transaction_ref,
        id_tag=ev.id_token,
        id_token_id=token.id if token else None,
        user_id=token.user_id if token else None,
        company_id=token.company_id if token else None,
        vehicle_id=token.vehicle_id if token else None,
        reservation_id=ev.reservation_id,
        meter_start_wh=ev.meter_start_wh,
        started_at=ev.timestamp,
        auth_status=auth.status,
        last_seq_no=ev.seq_no,
        review_reason=f"start: {ev.clock_note}" if ev.clock_note else None,
        evse_connector_id=ev.evse_connector_id,
    )


def _log_presence(
    s: Session,
    chosen: tuple[ColumnElement[bool], ...],
    online: bool,
    at: datetime,
    node: str | None,
) -> None:
    """An uptime event for each charger `chosen` picks (one INSERT ... SELECT, any count)."""
    s.execute(
        insert(ChargerConnectionEvent).from_select(
            ["charger_id", "online", "at", "node"],
            select(
                Charger.id,
                literal(online, Boolean()),
                literal(at, UTCDateTime()),
                literal(node, String()),
            ).where(*chosen),
        )
    )


def _mark_roaming(s: Session, tx: ChargingTransaction) -> None:
    """A session started with a roaming partner's token is the partner's to pay."""
    grant = roaming_grant(s, tx.id_tag) if tx.id_tag else None
    tx.roaming_partner_id = grant.partner_id if grant is not None else None


def _end_transaction_profiles(s: Session, charger_pk: int, transaction_ref: str | None) -> None:
    """A session's TxProfile ends with it: the charger discards it (OCPP 1.6 3.13.4)."""
    if transaction_ref is None:
        return
    s.execute(
        update(ChargingProfileRecord)
        .where(
            ChargingProfileRecord.charger_id == charger_pk,
            ChargingProfileRecord.transaction_ref == transaction_ref,
            ChargingProfileRecord.cleared_at.is_(None),
        )
        .values(status="ended", cleared_at=utcnow())
    )


def _note_place(tx: ChargingTransaction, ev: TransactionUpdated) -> None:
    """The EVSE and connector a 2.0.1 station names once it knows them (cable plugged in)."""
    if not tx.connector_id and ev.connector_id:
        tx.connector_id = ev.connector_id
    if tx.evse_connector_id is None and ev.evse_connector_id is not None:
        tx.evse_connector_id = ev.evse_connector_id


def _final_cost(s: Session, tx: ChargingTransaction) -> tuple[Decimal | None, str | None]:
    """What a finished session costs incl. VAT, as invoiced (0: billed, nothing to pay);
    None while it is not billed (held for review, an orphan, a tariff missing)."""
    if not tx.billed:
        return None, None
    invoiced = s.execute(
        select(Invoice.total_minor, Invoice.currency).where(
            Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
        )
    ).first()
    if invoiced is None:
        return Decimal(0), None
    return to_major(invoiced[0], invoiced[1]), invoiced[1]
