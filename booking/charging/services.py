"""Citizen charging use cases: a charger's public page, remote start and stop, live sessions.

Starts and stops reach the charger through the command bus, in neutral terms
(`mobility.remote_charging`), after the checks' transaction has ended: the OCPP node that
holds the charger's socket records the command and the charger's sessions as usual.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.facade import Billing, find_tariff, spec_of
from billing.pricing import PriceBreakdown
from billing.pricing_periods import ENERGY_REGISTER, POWER
from booking.charging import rules
from booking.charging.rules import Card, LiveFigures, PriceItem
from booking.places import reader
from booking.places.rules import ChargerSpot, HubSpot
from mobility.bus import CommandBus
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, DomainError, Forbidden, NotFound
from mobility.models import (
    Charger,
    ChargingTransaction,
    Company,
    Connector,
    Hub,
    IdToken,
    IdTokenStatus,
    Invoice,
    InvoiceKind,
    MeterValue,
    RegistrationStatus,
    TariffScope,
    TransactionStatus,
    User,
)
from mobility.remote_charging import START_CHARGING, STOP_CHARGING, RemoteStart, RemoteStop

# A session begun this long before a start request still counts as its answer (clock skew).
START_SLACK = timedelta(seconds=30)


@dataclass(frozen=True)
class ChargerPage:
    """A public charger: where, its connectors, and its public tariff."""

    charger: ChargerSpot
    hub: HubSpot
    currency: str
    items: list[PriceItem] | None  # None: no public tariff in force
    min_price: Decimal | None
    max_price: Decimal | None


@dataclass(frozen=True)
class Started:
    """A start the charger accepted: where, with which card, since when to look for it."""

    charge_point_id: str
    connector_id: int
    id_tag: str
    requested_at: datetime


@dataclass(frozen=True)
class LiveSession:
    """A session of the user's, running or done, with its figures and cost."""

    tx: ChargingTransaction
    charge_point_id: str
    charger_name: str
    hub_name: str
    figures: LiveFigures
    price: PriceBreakdown | None
    invoice_id: int | None = None


class CitizenCharging:
    """What a signed-in citizen does at a public charger, and sees of their sessions."""

    def __init__(
        self,
        db: Database,
        billing: Billing,
        bus: CommandBus,
        timeout: float,
        card_payments: bool = False,
    ) -> None:
        self.db, self.billing, self.bus, self.timeout = db, billing, bus, timeout
        # With a payment provider, a private session is charged to a saved payment card.
        self.card_payments = card_payments

    # -- the charger's page ---------------------------------------------------------------
    def charger_page(self, cp_id: str) -> ChargerPage:
        """A public charger's connectors and tariff (NotFound for others)."""
        with self.db.sessions() as s:
            charger = _public_charger(s, cp_id)
            hub = next(h for h in reader.hubs(s) if h.id == charger.hub_id)
            spot = next(c for c in reader.chargers(s, [hub.id]) if c.charge_point_id == cp_id)
            try:
                spec = spec_of(find_tariff(s, TariffScope.CHARGING, tariff_id=charger.tariff_id))
            except DomainError:  # none in force (or unusable): the page says so, start still works
                return ChargerPage(spot, hub, "", None, None, None)
        return ChargerPage(
            spot,
            hub,
            spec.currency,
            rules.price_items(spec),
            spec.min_price_incl_vat,
            spec.max_price_incl_vat,
        )

    # -- cards ----------------------------------------------------------------------------
    def cards(self, user_id: int) -> list[Card]:
        """The user's cards a charger would accept now."""
        with self.db.sessions() as s:
            return [c for c in _cards(s, user_id) if rules.usable(c, utcnow())]

    # -- start and stop -------------------------------------------------------------------
    def start(self, user_id: int, cp_id: str, connector_id: int, id_tag: str | None) -> Started:
        """Ask the charger to start on this connector with the user's card (an app card is
        issued on the first start without one). Raises when the charger cannot or says no."""
        with self.db.transaction() as s:
            charger = _public_charger(s, cp_id)
            connector = _connector(s, charger, connector_id)
            running = _running_on(s, charger.id, connector_id) is not None
            refusal = rules.start_refusal(
                charger.is_online, connector.availability, connector.status, running
            )
            if refusal is not None:
                raise Conflict("This connector cannot start a session now.", code=refusal)
            card = self._card_for(s, user_id, id_tag)
            self._check_payment(s, user_id, card)
            request = RemoteStart(connector_id, card.id_tag, secrets.randbelow(2**31), card.kind)
        requested_at = utcnow()
        answer = self.bus.call_sync(cp_id, START_CHARGING, request.to_payload(), self.timeout)
        if answer.get("status") != "Accepted":
            raise Conflict("The charger did not accept the start.", code="start_refused")
        return Started(cp_id, connector_id, card.id_tag, requested_at)

    def _card_for(self, s: Session, user_id: int, id_tag: str | None) -> Card:
        now = utcnow()
        mine = [c for c in _cards(s, user_id) if rules.usable(c, now)]
        if id_tag:
            chosen = next((c for c in mine if c.id_tag == id_tag), None)
            if chosen is None:
                raise Forbidden("This card cannot be used.", code="card_not_usable", field="card")
            return chosen
        if mine:
            return mine[0]
        token = IdToken(
            id_tag=rules.app_tag(secrets.token_hex(8)),
            kind=rules.APP_TAG_KIND,
            label="App",
            user_id=user_id,
        )
        s.add(token)
        s.flush()
        return _card(token, None)

    def _check_payment(self, s: Session, user_id: int, card: Card) -> None:
        """A private session needs a saved payment card when payments go through a provider."""
        if not self.card_payments or card.company is not None:
            return
        user = s.get(User, user_id)
        if user is None or user.stripe_payment_method_id is None:
            raise Forbidden("Save a payment card first.", code="payment_card_needed")

    def stop(self, user_id: int, tx_id: int) -> None:
        """Ask the charger to end the user's running session."""
        with self.db.sessions() as s:
            tx = _own_session(s, user_id, tx_id)
            if tx.status != TransactionStatus.ACTIVE or not tx.transaction_ref:
                raise Conflict("This session is not running.", code="not_running")
            charger = s.get(Charger, tx.charger_id)
            assert charger is not None  # a foreign key guarantees it
            cp_id, request = charger.charge_point_id, RemoteStop(tx.transaction_ref)
        answer = self.bus.call_sync(cp_id, STOP_CHARGING, request.to_payload(), self.timeout)
        if answer.get("status") != "Accepted":
            raise Conflict("The charger did not accept the stop.", code="stop_refused")

    def started(self, user_id: int, cp_id: str, connector_id: int, since: datetime) -> int | None:
        """The user's session begun on this connector since a start request (None: not yet)."""
        with self.db.sessions() as s:
            return s.scalar(
                select(ChargingTransaction.id)
                .join(Charger, Charger.id == ChargingTransaction.charger_id)
                .where(
                    Charger.charge_point_id == cp_id,
                    ChargingTransaction.connector_id == connector_id,
                    ChargingTransaction.user_id == user_id,
                    ChargingTransaction.started_at >= since - START_SLACK,
                )
                .order_by(ChargingTransaction.started_at.desc())
                .limit(1)
            )

    # -- sessions -------------------------------------------------------------------------
    def session(self, user_id: int, tx_id: int) -> LiveSession:
        """One of the user's sessions with its energy, power and cost so far (or final)."""
        now = utcnow()
        with self.db.sessions() as s:
            tx = _own_session(s, user_id, tx_id)
            return self._live(s, tx, now)

    def _live(self, s: Session, tx: ChargingTransaction, now: datetime) -> LiveSession:
        charger = s.get(Charger, tx.charger_id)
        assert charger is not None  # a foreign key guarantees it
        hub = s.get(Hub, charger.hub_id) if charger.hub_id else None
        register = (
            tx.meter_stop_wh if tx.meter_stop_wh is not None else _last(s, tx, ENERGY_REGISTER)
        )
        running = tx.status == TransactionStatus.ACTIVE
        power = _last(s, tx, POWER) if running else None
        figures = rules.live_figures(
            tx.meter_start_wh, register, power, tx.started_at, tx.stopped_at or now
        )
        price: PriceBreakdown | None
        try:
            if running:
                price = self.billing.running_price(s, tx, now)
            else:
                price = self.billing.price_charging(s, tx)
        except DomainError:
            price = None  # no tariff in force: the page shows the energy without a price
        invoice = s.scalar(
            select(Invoice.id).where(
                Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
            )
        )
        return LiveSession(
            tx,
            charger.charge_point_id,
            charger.name or charger.charge_point_id,
            hub.name if hub else "",
            figures,
            price,
            invoice,
        )

    def history(self, user_id: int, limit: int = 50) -> list[LiveSession]:
        """The user's sessions, newest first."""
        now = utcnow()
        with self.db.sessions() as s:
            rows = s.scalars(
                select(ChargingTransaction)
                .where(ChargingTransaction.user_id == user_id)
                .order_by(ChargingTransaction.started_at.desc(), ChargingTransaction.id.desc())
                .limit(limit)
            )
            return [self._live(s, tx, now) for tx in rows]

    def receipt(self, user_id: int, tx_id: int) -> Invoice:
        """The invoice of one of the user's finished sessions."""
        with self.db.sessions() as s:
            tx = _own_session(s, user_id, tx_id)
            invoice = s.scalar(
                select(Invoice).where(
                    Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
                )
            )
            if invoice is None:
                raise NotFound("This session has no receipt yet.", code="no_receipt")
            invoice.lines  # noqa: B018 - loaded before the session closes
            return invoice


def _public_charger(s: Session, cp_id: str) -> Charger:
    charger = s.scalar(
        select(Charger)
        .join(Hub, Hub.id == Charger.hub_id)
        .where(
            Charger.charge_point_id == cp_id,
            Charger.is_public,
            Charger.registration_status == RegistrationStatus.ACCEPTED,
            Hub.is_active,
        )
    )
    if charger is None:
        raise NotFound("No such public charger.", code="no_charger")
    return charger


def _connector(s: Session, charger: Charger, connector_id: int) -> Connector:
    found = s.scalar(
        select(Connector).where(
            Connector.charger_id == charger.id, Connector.connector_id == connector_id
        )
    )
    if found is None or connector_id < 1:
        raise NotFound("No such connector.", code="no_connector")
    return found


def _running_on(s: Session, charger_pk: int, connector_id: int) -> int | None:
    return s.scalar(
        select(ChargingTransaction.id)
        .where(
            ChargingTransaction.charger_id == charger_pk,
            ChargingTransaction.connector_id == connector_id,
            ChargingTransaction.status == TransactionStatus.ACTIVE,
        )
        .limit(1)
    )


def _cards(s: Session, user_id: int) -> list[Card]:
    rows = s.execute(
        select(IdToken, Company.name)
        .outerjoin(Company, Company.id == IdToken.company_id)
        .where(IdToken.user_id == user_id, IdToken.status == IdTokenStatus.ACCEPTED)
        .order_by(IdToken.id)
    )
    return [_card(token, company) for token, company in rows]


def _card(token: IdToken, company: str | None) -> Card:
    return Card(token.id_tag, token.label, token.kind, token.status, token.expires_at, company)


def _own_session(s: Session, user_id: int, tx_id: int) -> ChargingTransaction:
    tx = s.get(ChargingTransaction, tx_id)
    if tx is None or tx.user_id != user_id:
        raise NotFound("No such charging session.", code="no_session")
    return tx


def _last(s: Session, tx: ChargingTransaction, measurand: str) -> Decimal | None:
    """The session's latest whole-meter reading of a measurand (stored in Wh or W)."""
    return s.scalar(
        select(MeterValue.value)
        .where(
            MeterValue.transaction_id == tx.id,
            MeterValue.measurand == measurand,
            MeterValue.phase.is_(None),
        )
        .order_by(MeterValue.timestamp.desc(), MeterValue.id.desc())
        .limit(1)
    )
