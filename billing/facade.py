"""Billing's interface for the other packages: quotes, holds, settlement, receipts.

Callers own the transaction: nothing here commits. Money calls carry deterministic idempotency
keys and are recorded as Payment rows keyed by them, so a retried use case never pays twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from billing.customers import forget_customer
from billing.gateway import PaymentGateway, SetupResult
from billing.invoices import bill_to_company, bill_to_user, credit_note, issue
from billing.payments import OUTBOX_KIND
from billing.pricing import (
    Period,
    PriceBreakdown,
    PriceLine,
    charging_periods,
    charging_periods_from_samples,
    price_session,
    rental_periods,
)
from billing.pricing_periods import CURRENT, ENERGY_REGISTER, POWER, Sample, meter_samples
from billing.tariff_summary import TariffSummary, summarise
from billing.tariffs import TariffSpec, tariff_spec
from mobility.config import Settings
from mobility.db import Database
from mobility.errors import N_, Conflict, NotFound, ValidationFailed
from mobility.models import (
    Booking,
    Charger,
    ChargingTransaction,
    Company,
    ConnectorStatusEvent,
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    MeterValue,
    Payment,
    PaymentKind,
    PaymentStatus,
    RoamingPartner,
    Tariff,
    TariffScope,
    Trip,
    User,
    Vehicle,
)
from mobility.money import split_gross, to_major
from mobility.outbox import Outbox
from mobility.roaming import CDR_DUE

PriceQuote = PriceBreakdown


@dataclass(frozen=True)
class PricedCharging:
    """A charging session priced: the breakdown, the periods it was priced over, the tariff."""

    price: PriceBreakdown
    periods: list[Period]
    tariff: Tariff


@dataclass(frozen=True)
class Charge:
    """What a booking was invoiced (trip or cancellation fee) and how much was collected."""

    invoice_number: str
    kind: str
    invoiced_minor: int
    collected_minor: int
    status: str


__all__ = ["Billing", "Charge", "PriceLine", "PriceQuote", "PricedCharging"]


def spec_of(tariff: Tariff) -> TariffSpec:
    """Validated pricing spec of a stored tariff."""
    return tariff_spec(
        tariff.code,
        tariff.currency,
        tariff.elements,
        min_price=tariff.min_price_excl_vat,
        max_price=tariff.max_price_excl_vat,
        daily_cap=tariff.daily_cap_excl_vat,
        default_vat=tariff.default_vat_percent,
        min_price_incl_vat=tariff.min_price_incl_vat,
        max_price_incl_vat=tariff.max_price_incl_vat,
    )


def find_tariff(
    s: Session, scope: str, *, company_id: int | None = None, tariff_id: int | None = None
) -> Tariff:
    """Negotiated company tariff, else the given tariff, else the active one for the scope."""
    if company_id is not None:
        negotiated = s.scalar(
            select(Tariff)
            .where(Tariff.company_id == company_id, Tariff.scope == scope, Tariff.is_active)
            .order_by(Tariff.id)
            .limit(1)
        )
        if negotiated is not None:
            return negotiated
    if tariff_id is not None:
        own = s.get(Tariff, tariff_id)
        if own is not None:
            return own
    public = s.scalar(
        select(Tariff)
        .where(Tariff.scope == scope, Tariff.company_id.is_(None), Tariff.is_active)
        .order_by(Tariff.id)
        .limit(1)
    )
    if public is None:
        raise NotFound(f"No active tariff for {scope}.")
    return public


def _last_register(s: Session, tx: ChargingTransaction) -> int | None:
    """The running session's latest whole-meter energy register in Wh (None: none yet)."""
    value = s.scalar(
        select(MeterValue.value)
        .where(
            MeterValue.transaction_id == tx.id,
            MeterValue.measurand == ENERGY_REGISTER,
            MeterValue.phase.is_(None),
        )
        .order_by(MeterValue.timestamp.desc(), MeterValue.id.desc())
        .limit(1)
    )
    return int(value) if value is not None else None


def _session_samples(s: Session, tx: ChargingTransaction, stop: datetime) -> list[Sample]:
    """The session's stored readings and its connector's statuses, as pricing samples."""
    readings = s.execute(
        select(MeterValue.timestamp, MeterValue.measurand, MeterValue.phase, MeterValue.value)
        .where(
            MeterValue.transaction_id == tx.id,
            MeterValue.measurand.in_((ENERGY_REGISTER, POWER, CURRENT)),
            MeterValue.timestamp >= tx.started_at,
            MeterValue.timestamp <= stop,
        )
        .order_by(MeterValue.timestamp)
    ).all()
    statuses = s.execute(
        select(ConnectorStatusEvent.timestamp, ConnectorStatusEvent.status).where(
            ConnectorStatusEvent.charger_id == tx.charger_id,
            ConnectorStatusEvent.connector_id == tx.connector_id,
            ConnectorStatusEvent.timestamp > tx.started_at,
            ConnectorStatusEvent.timestamp < stop,
        )
    ).all()
    return meter_samples(
        [(r.timestamp, r.measurand, r.phase, r.value) for r in readings],
        [(r.timestamp, r.status) for r in statuses],
    )


class Billing:
    """Prices, invoices and payments for bookings, trips and charging sessions.

    Money never moves inside the caller's transaction: each payment is a Payment row plus an
    outbox intent, carried out by `billing.payments.PaymentRunner` once the caller commits
    (`wait=True`: in the caller's thread, before its request answers).
    """

    def __init__(
        self, settings: Settings, gateway: PaymentGateway, db: Database, outbox: Outbox
    ) -> None:
        self.settings = settings
        self.gateway = gateway
        self.db = db
        self.outbox = outbox
        self.tz = ZoneInfo(settings.timezone)

    # -- prices ---------------------------------------------------------------------------
    def quote_booking(
        self,
        s: Session,
        *,
        vehicle: Vehicle,
        user_id: int,
        company_id: int | None,
        start_at: datetime,
        end_at: datetime,
        expected_km: Decimal | None = None,
    ) -> PriceQuote:
        """Price a planned rental before it is confirmed."""
        tariff = find_tariff(s, vehicle.kind, company_id=company_id, tariff_id=vehicle.tariff_id)
        return price_session(
            spec_of(tariff), rental_periods(start_at, end_at, expected_km), self.tz
        )

    def price_list(
        self, s: Session, vehicle: Vehicle, company_id: int | None = None
    ) -> TariffSummary:
        """The tariff a booking of this vehicle would be priced with, as a price list."""
        tariff = find_tariff(s, vehicle.kind, company_id=company_id, tariff_id=vehicle.tariff_id)
        return summarise(spec_of(tariff))

    def running_trip_price(self, s: Session, trip: Trip, now: datetime) -> PriceBreakdown:
        """What a trip under way costs so far: its time until now (distance is added at the end)."""
        vehicle = s.get(Vehicle, trip.vehicle_id)
        if vehicle is None:
            raise NotFound("The trip's vehicle is gone.")
        tariff = find_tariff(
            s, vehicle.kind, company_id=trip.company_id, tariff_id=vehicle.tariff_id
        )
        until = trip.ended_at or max(now, trip.started_at)
        periods = rental_periods(trip.started_at, until, trip.distance_km)
        return price_session(spec_of(tariff), periods, self.tz)

    def price_trip(self, s: Session, trip: Trip) -> PriceBreakdown:
        """Final price of a finished trip."""
        vehicle = s.get(Vehicle, trip.vehicle_id)
        if vehicle is None or trip.ended_at is None:
            raise NotFound("Trip is not finished or its vehicle is gone.")
        tariff = find_tariff(
            s, vehicle.kind, company_id=trip.company_id, tariff_id=vehicle.tariff_id
        )
        periods = rental_periods(trip.started_at, trip.ended_at, trip.distance_km)
        return price_session(spec_of(tariff), periods, self.tz)

    def price_charging(self, s: Session, tx: ChargingTransaction) -> PriceBreakdown:
        """Final price of a finished charging session."""
        return self.priced_charging(s, tx).price

    def running_price(self, s: Session, tx: ChargingTransaction, now: datetime) -> PriceBreakdown:
        """What a session still running costs so far (a station's display, OCPP CostUpdated)."""
        return self.priced_charging(s, tx, until=max(now, tx.started_at)).price

    def priced_charging(
        self, s: Session, tx: ChargingTransaction, until: datetime | None = None
    ) -> PricedCharging:
        """A charging session's price, periods and tariff: final, or so far (`until`, running).

        A running session is priced up to `until` with its latest energy register as the stop
        reading (OCPI sessions' cost so far); a finished one as it will be invoiced.
        """
        charger = s.get(Charger, tx.charger_id)
        tariff = find_tariff(
            s,
            TariffScope.CHARGING,
            company_id=tx.company_id,
            tariff_id=charger.tariff_id if charger else None,
        )
        stop = tx.stopped_at or until or tx.started_at
        meter_stop = tx.meter_stop_wh
        if tx.stopped_at is None and until is not None:
            meter_stop = _last_register(s, tx)
        samples = _session_samples(s, tx, stop)
        if samples and meter_stop is not None:
            # Metered: energy, power and current between samples; idle only after the end.
            periods = charging_periods_from_samples(
                tx.started_at, stop, samples, Decimal(tx.meter_start_wh), Decimal(meter_stop)
            )
        else:
            energy = max(0, (meter_stop or tx.meter_start_wh) - tx.meter_start_wh)
            periods = charging_periods(tx.started_at, stop, Decimal(energy), tx.charging_ended_at)
        return PricedCharging(price_session(spec_of(tariff), periods, self.tz), periods, tariff)

    # -- money ----------------------------------------------------------------------------
    def _intend(
        self,
        s: Session,
        key: str,
        kind: PaymentKind,
        amount_minor: int,
        currency: str,
        *,
        wait: bool,
        parent: Payment | None = None,
        **links: int | None,
    ) -> Payment:
        """Record a payment and its intent once per idempotency key; it runs after commit."""
        existing = s.scalar(select(Payment).where(Payment.idempotency_key == key))
        if existing is not None:
            return existing
        payment = Payment(
            idempotency_key=key,
            kind=kind,
            provider=self.gateway.name,
            amount_minor=amount_minor,
            currency=currency,
            parent_id=parent.id if parent is not None else None,
            **links,
        )
        s.add(payment)
        s.flush()
        self.outbox.record(
            s, OUTBOX_KIND, f"{OUTBOX_KIND}:{key}", {"payment_id": payment.id}, wait=wait
        )
        return payment

    def hold_booking(self, s: Session, booking: Booking) -> Payment | None:
        """Pre-authorise a private booking's quote (again after a change; company: invoiced)."""
        if booking.company_id is not None or booking.quote_minor <= 0:
            return None
        live = self._hold(s, booking.id)
        if live is not None and live.amount_minor == booking.quote_minor:
            return live
        holds = s.scalar(
            select(func.count())
            .select_from(Payment)
            .where(Payment.booking_id == booking.id, Payment.kind == PaymentKind.HOLD)
        )
        key = f"hold:booking:{booking.id}" + (f":{holds}" if holds else "")
        # A newer hold that succeeds releases the older one (billing.payments).
        return self._intend(
            s,
            key,
            PaymentKind.HOLD,
            booking.quote_minor,
            booking.currency,
            wait=True,
            user_id=booking.user_id,
            booking_id=booking.id,
        )

    def payment(self, key: str) -> Payment | None:
        """A payment by idempotency key, as it stands now (after its intent ran)."""
        with self.db.sessions() as s:
            return s.scalar(select(Payment).where(Payment.idempotency_key == key))

    def _hold(self, s: Session, booking_id: int | None) -> Payment | None:
        """The booking's newest hold still in force (or still being placed)."""
        if booking_id is None:
            return None
        return s.scalar(
            select(Payment)
            .where(
                Payment.booking_id == booking_id,
                Payment.kind == PaymentKind.HOLD,
                Payment.status.in_((PaymentStatus.PENDING, PaymentStatus.REQUIRES_CAPTURE)),
            )
            .order_by(Payment.id.desc())
            .limit(1)
        )

    def _release(self, s: Session, hold: Payment, wait: bool) -> None:
        self._intend(
            s,
            f"release:payment:{hold.id}",
            PaymentKind.RELEASE,
            0,
            hold.currency,
            wait=wait,
            parent=hold,
            user_id=hold.user_id,
            booking_id=hold.booking_id,
        )

    def cancel_booking(self, s: Session, booking: Booking, fee_minor: int) -> Invoice | None:
        """Release the hold; a late cancellation is invoiced and charged `fee_minor` (incl. VAT)."""
        hold = self._hold(s, booking.id)
        if fee_minor <= 0:
            if hold is not None:
                self._release(s, hold, wait=True)
            return None
        existing = s.scalar(
            select(Invoice).where(
                Invoice.kind == InvoiceKind.CANCELLATION, Invoice.booking_id == booking.id
            )
        )
        if existing is not None:
            return existing
        line, tariff_code = self._fee_line(s, booking, fee_minor)
        user = s.get(User, booking.user_id)
        assert user is not None
        invoice = self._invoice_for(
            s,
            InvoiceKind.CANCELLATION,
            booking.currency,
            (line,),
            user,
            booking.company_id,
            booking_id=booking.id,
            tariff_code=tariff_code,
        )
        if booking.company_id is None:
            self._collect(s, invoice, hold, f"booking:{booking.id}", wait=True)
        elif hold is not None:
            self._release(s, hold, wait=True)
        return invoice

    def _fee_line(self, s: Session, booking: Booking, fee_minor: int) -> tuple[PriceLine, str]:
        """A VAT-inclusive fee as an invoice line at the VAT rate of the booking's tariff, and
        that tariff's code."""
        vehicle = s.get(Vehicle, booking.vehicle_id)
        assert vehicle is not None
        tariff = find_tariff(
            s, vehicle.kind, company_id=booking.company_id, tariff_id=vehicle.tariff_id
        )
        vat_pct = Decimal(tariff.default_vat_percent)
        net, vat = split_gross(fee_minor, vat_pct)
        line = PriceLine(
            description="Late cancellation fee",
            component="CANCELLATION",
            quantity=Decimal(1),
            unit="fee",
            unit_price=to_major(net, booking.currency),
            amount_excl_vat_minor=net,
            vat_percent=vat_pct,
            vat_minor=vat,
        )
        return line, tariff.code

    def _invoice_for(
        self,
        s: Session,
        kind: InvoiceKind,
        currency: str,
        lines: tuple[PriceLine, ...],
        user: User | None,
        company_id: int | None,
        cost_centre_id: int | None = None,
        bill_to: dict[str, Any] | None = None,
        **links: Any,
    ) -> Invoice:
        company = s.get(Company, company_id) if company_id else None
        if bill_to is None:
            bill_to = bill_to_company(company) if company else bill_to_user(user) if user else {}
        return issue(
            s,
            kind=kind,
            currency=currency,
            lines=lines,
            bill_to=bill_to,
            user_id=user.id if user else None,
            company_id=company_id,
            member_user_id=user.id if (user and company) else None,
            cost_centre_id=cost_centre_id,
            **links,
        )

    def _collect(
        self, s: Session, invoice: Invoice, hold: Payment | None, subject: str, wait: bool
    ) -> None:
        """Take an invoice's total: capture the hold (up to its amount), charge any rest."""
        total = invoice.total_minor
        if hold is not None and total == 0:
            self._release(s, hold, wait)
        elif hold is not None:
            taken = min(total, hold.amount_minor)
            self._intend(
                s,
                f"capture:{subject}",
                PaymentKind.CAPTURE,
                taken,
                invoice.currency,
                wait=wait,
                parent=hold,
                booking_id=hold.booking_id,
                user_id=invoice.user_id,
                invoice_id=invoice.id,
            )
            total -= taken
        if total > 0:
            self._intend(
                s,
                f"charge:{subject}",
                PaymentKind.CHARGE,
                total,
                invoice.currency,
                wait=wait,
                user_id=invoice.user_id,
                invoice_id=invoice.id,
            )
        if invoice.total_minor == 0:
            invoice.status, invoice.paid_at = InvoiceStatus.PAID, invoice.issued_at

    def settle_trip(self, s: Session, trip: Trip) -> Invoice:
        """Invoice a finished trip and take the money (company trips: monthly invoice)."""
        existing = self.receipt(s, trip.id)
        if existing is not None:
            return existing
        price = self.price_trip(s, trip)
        trip.price_minor = price.total_minor
        trip.currency = price.currency
        user = s.get(User, trip.user_id)
        invoice = self._invoice_for(
            s,
            InvoiceKind.TRIP,
            price.currency,
            price.lines,
            user,
            trip.company_id,
            cost_centre_id=trip.cost_centre_id,
            trip_id=trip.id,
            booking_id=trip.booking_id,
            tariff_code=price.tariff_code,
        )
        hold = self._hold(s, trip.booking_id)
        if trip.company_id is None:
            self._collect(s, invoice, hold, f"trip:{trip.id}", wait=True)
        elif hold is not None:
            self._release(s, hold, wait=True)
        return invoice

    def settle_charging(self, s: Session, tx: ChargingTransaction) -> Invoice | None:
        """Invoice a finished charging session once; company cards go on the monthly invoice.

        The card is charged after commit on the outbox's workers: a charger's StopTransaction
        is never kept waiting for the payment provider.
        """
        if tx.stopped_at is None:
            return None
        existing = s.scalar(
            select(Invoice).where(
                Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
            )
        )
        if existing is not None:
            tx.billed = True
            return existing
        price = self.price_charging(s, tx)
        if tx.roaming_partner_id is not None:
            return self._settle_roaming(s, tx, price)
        if price.total_minor == 0:
            tx.billed = True  # nothing to pay: no invoice, no number used up
            return None
        user = s.get(User, tx.user_id) if tx.user_id else None
        bill_to: dict[str, Any] | None = (
            None if (user or tx.company_id) else {"name": f"id tag {tx.id_tag}"}
        )
        invoice = self._invoice_for(
            s,
            InvoiceKind.CHARGING,
            price.currency,
            price.lines,
            user,
            tx.company_id,
            bill_to=bill_to,
            charging_transaction_id=tx.id,
            tariff_code=price.tariff_code,
        )
        if tx.company_id is None and user is not None:
            self._collect(s, invoice, None, f"charging:{tx.id}", wait=False)
        tx.billed = True
        return invoice

    def _settle_roaming(
        self, s: Session, tx: ChargingTransaction, price: PriceBreakdown
    ) -> Invoice | None:
        """A roaming driver's session: invoiced to the partner, never charged to anyone here.

        The partner pays what the CDR says; the CDR (sent after commit) carries this price, so
        our invoice and their CDR reconcile line for line.
        """
        self.outbox.record(s, CDR_DUE, f"{CDR_DUE}:{tx.id}", {"transaction_id": tx.id})
        tx.billed = True
        if price.total_minor == 0:
            return None
        partner = s.get(RoamingPartner, tx.roaming_partner_id)
        party = f"{partner.country_code}*{partner.party_id}" if partner else "unknown"
        return self._invoice_for(
            s,
            InvoiceKind.CHARGING,
            price.currency,
            price.lines,
            None,
            None,
            bill_to={"name": partner.name if partner else "roaming partner", "ocpi_party": party},
            charging_transaction_id=tx.id,
            tariff_code=price.tariff_code,
        )

    def charges(self, s: Session, booking_ids: list[int]) -> dict[int, Charge]:
        """What each booking was actually invoiced and paid (trip or cancellation fee)."""
        if not booking_ids:
            return {}
        invoices = s.scalars(
            select(Invoice).where(
                Invoice.booking_id.in_(booking_ids),
                Invoice.kind.in_((InvoiceKind.TRIP, InvoiceKind.CANCELLATION)),
            )
        ).all()
        paid = dict(
            s.execute(
                select(Payment.invoice_id, func.sum(Payment.amount_minor))
                .where(
                    Payment.invoice_id.in_([i.id for i in invoices]),
                    Payment.kind.in_((PaymentKind.CAPTURE, PaymentKind.CHARGE)),
                    Payment.status == PaymentStatus.SUCCEEDED,
                )
                .group_by(Payment.invoice_id)
            ).all()
        )
        return {
            i.booking_id: Charge(
                i.number, i.kind, i.total_minor, int(paid.get(i.id) or 0), i.status
            )
            for i in invoices
            if i.booking_id is not None
        }

    def booking_invoice(self, s: Session, booking_id: int) -> Invoice | None:
        """The invoice of a booking: its trip's, or its late cancellation fee's."""
        return s.scalar(
            select(Invoice)
            .where(
                Invoice.booking_id == booking_id,
                Invoice.kind.in_((InvoiceKind.TRIP, InvoiceKind.CANCELLATION)),
            )
            .limit(1)
        )

    def receipt(self, s: Session, trip_id: int) -> Invoice | None:
        """The invoice of a trip, if it was settled."""
        return s.scalar(
            select(Invoice).where(Invoice.kind == InvoiceKind.TRIP, Invoice.trip_id == trip_id)
        )

    def refund(self, s: Session, invoice: Invoice, amount_minor: int, reason: str) -> Invoice:
        """Issue a credit note and give the money back through the provider that took it."""
        note = credit_note(s, invoice, amount_minor, reason)
        taken = s.scalars(
            select(Payment).where(
                Payment.invoice_id == invoice.id,
                Payment.kind.in_((PaymentKind.CAPTURE, PaymentKind.CHARGE)),
                Payment.status == PaymentStatus.SUCCEEDED,
            )
        ).first()
        if taken is not None:
            self._intend(
                s,
                f"refund:{note.number}",
                PaymentKind.REFUND,
                amount_minor,
                invoice.currency,
                wait=True,
                parent=taken,
                user_id=invoice.user_id,
                invoice_id=note.id,
            )
        return note

    # -- saved cards (each step its own short transaction: the provider is called between) --
    def start_card_setup(self, user_id: int) -> SetupResult:
        """Begin saving a card (SetupIntent); the browser confirms it with the client secret."""
        if self.gateway.name == "offline":
            raise Conflict(N_("Payments are recorded offline here: no card is needed."))
        customer = self._customer_of(user_id)
        return self.gateway.setup_card(
            customer=customer, key=f"setup:user:{user_id}:{uuid.uuid4().hex}"
        )

    def confirm_card(self, user_id: int, setup_ref: str) -> str:
        """Keep the card of a finished setup as the user's payment card."""
        with self.db.sessions() as s:
            user = s.get(User, user_id)
            customer = user.stripe_customer_id if user else None
        if not customer:
            raise ValidationFailed(N_("Start a card setup first."), field="setup_intent")
        pm = self.gateway.card_saved(setup_ref=setup_ref, customer=customer)
        if pm is None:
            raise ValidationFailed(N_("This card setup has not succeeded."), field="setup_intent")
        with self.db.transaction() as s:
            user = s.get(User, user_id)
            if user is None or user.stripe_customer_id != customer:
                raise Conflict(N_("The account changed meanwhile; start again."))
            user.stripe_payment_method_id = pm
        return pm

    def _customer_of(self, user_id: int) -> str:
        """The provider's customer of a user, created once."""
        with self.db.sessions() as s:
            user = s.get(User, user_id)
            if user is None:
                raise NotFound("No such user.")
            existing, email, name = user.stripe_customer_id, user.email, user.full_name
        ref = self.gateway.ensure_customer(
            existing=existing, email=email, name=name, key=f"customer:user:{user_id}"
        )
        if ref == existing:
            return ref
        with self.db.transaction() as s:
            # Locked: an erasure committing meanwhile is seen, and its user gets no new customer.
            fresh = s.get(User, user_id, with_for_update=True)
            erased = fresh is None or fresh.deleted_at is not None
            if erased:
                forget_customer(s, self.outbox, ref)
            elif fresh is not None and fresh.stripe_customer_id is None:
                fresh.stripe_customer_id = ref
        if erased:
            raise NotFound("No such user.")
        return ref
