"""Billing's interface for the other packages: quotes, holds, settlement, receipts.

Callers own the transaction: nothing here commits. Money calls carry deterministic idempotency
keys and are recorded as Payment rows keyed by them, so a retried use case never pays twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.gateway import GatewayResult, PaymentGateway, SetupResult
from billing.invoices import bill_to_company, bill_to_user, credit_note, issue
from billing.pricing import (
    PriceBreakdown,
    PriceLine,
    charging_periods,
    price_session,
    rental_periods,
)
from billing.tariffs import TariffSpec, tariff_spec
from mobility.config import Settings
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import (
    Booking,
    Charger,
    ChargingTransaction,
    Company,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentStatus,
    Tariff,
    TariffScope,
    Trip,
    User,
    Vehicle,
)

PriceQuote = PriceBreakdown
__all__ = ["Billing", "PriceLine", "PriceQuote"]


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


class Billing:
    """Prices, invoices and payments for bookings, trips and charging sessions."""

    def __init__(self, settings: Settings, gateway: PaymentGateway) -> None:
        self.settings = settings
        self.gateway = gateway
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
        charger = s.get(Charger, tx.charger_id)
        tariff = find_tariff(
            s,
            TariffScope.CHARGING,
            company_id=tx.company_id,
            tariff_id=charger.tariff_id if charger else None,
        )
        stop = tx.stopped_at or tx.started_at
        periods = charging_periods(tx.started_at, stop, Decimal(tx.energy_wh), tx.charging_ended_at)
        return price_session(spec_of(tariff), periods, self.tz)

    # -- money ----------------------------------------------------------------------------
    def _pay(
        self,
        s: Session,
        key: str,
        kind: str,
        amount_minor: int,
        currency: str,
        call: object,
        **links: int | None,
    ) -> Payment:
        """Run a gateway call once per idempotency key and record its outcome."""
        existing = s.scalar(select(Payment).where(Payment.idempotency_key == key))
        if existing is not None and existing.status != PaymentStatus.PENDING:
            return existing
        payment = existing or Payment(
            idempotency_key=key,
            kind=kind,
            provider=self.gateway.name,
            amount_minor=amount_minor,
            currency=currency,
            **links,
        )
        s.add(payment)
        s.flush()
        assert callable(call)
        result: GatewayResult = call()
        payment.provider_ref = result.ref
        payment.status = {
            "requires_capture": PaymentStatus.REQUIRES_CAPTURE,
            "succeeded": PaymentStatus.SUCCEEDED,
            "cancelled": PaymentStatus.CANCELLED,
            "canceled": PaymentStatus.CANCELLED,
        }.get(result.status, PaymentStatus.PENDING)
        s.flush()
        return payment

    def _customer(self, s: Session, user: User) -> str | None:
        if self.gateway.name == "offline":
            return None
        ref = self.gateway.ensure_customer(
            existing=user.stripe_customer_id,
            email=user.email,
            name=user.full_name,
            key=f"customer:user:{user.id}",
        )
        user.stripe_customer_id = ref
        return ref

    def start_card_setup(self, s: Session, user: User) -> SetupResult:
        """Begin saving a card (SetupIntent); the browser confirms it with the client secret."""
        customer = self._customer(s, user)
        if customer is None:
            raise Conflict("Payments are recorded offline here: no card is needed.")
        return self.gateway.setup_card(
            customer=customer, key=f"setup:user:{user.id}:{uuid.uuid4().hex}"
        )

    def confirm_card(self, s: Session, user: User, setup_ref: str) -> str:
        """Keep the card of a finished setup as the user's payment card."""
        if not user.stripe_customer_id:
            raise ValidationFailed("Start a card setup first.", field="setup_intent")
        pm = self.gateway.card_saved(setup_ref=setup_ref, customer=user.stripe_customer_id)
        if pm is None:
            raise ValidationFailed("This card setup has not succeeded.", field="setup_intent")
        user.stripe_payment_method_id = pm
        return pm

    def hold_booking(self, s: Session, booking: Booking) -> Payment | None:
        """Pre-authorise the quoted amount of a private booking (company bookings are invoiced)."""
        if booking.company_id is not None or booking.quote_minor <= 0:
            return None
        user = s.get(User, booking.user_id)
        assert user is not None
        customer = self._customer(s, user)
        payment = self._pay(
            s,
            f"hold:booking:{booking.id}",
            "hold",
            booking.quote_minor,
            booking.currency,
            lambda: self.gateway.authorize(
                amount_minor=booking.quote_minor,
                currency=booking.currency,
                customer=customer,
                key=f"hold:booking:{booking.id}",
                meta={"booking_id": str(booking.id)},
                payment_method=user.stripe_payment_method_id,
            ),
            user_id=booking.user_id,
            booking_id=booking.id,
        )
        booking.payment_hold_ref = payment.provider_ref
        return payment

    def _hold(self, s: Session, booking_id: int | None) -> Payment | None:
        if booking_id is None:
            return None
        return s.scalar(
            select(Payment).where(
                Payment.idempotency_key == f"hold:booking:{booking_id}",
                Payment.status == PaymentStatus.REQUIRES_CAPTURE,
            )
        )

    def _release(self, s: Session, hold: Payment) -> None:
        key = f"release:booking:{hold.booking_id}"
        self._pay(
            s,
            key,
            "release",
            0,
            hold.currency,
            lambda: self.gateway.release(ref=hold.provider_ref or "", key=key),
            user_id=hold.user_id,
            booking_id=hold.booking_id,
        )
        hold.status = PaymentStatus.CANCELLED

    def cancel_booking(self, s: Session, booking: Booking, fee_minor: int) -> Invoice | None:
        """Release the hold; a late cancellation is invoiced and charged `fee_minor` (incl. VAT)."""
        hold = self._hold(s, booking.id)
        if fee_minor <= 0:
            if hold is not None:
                self._release(s, hold)
            return None
        existing = s.scalar(
            select(Invoice).where(
                Invoice.kind == InvoiceKind.CANCELLATION, Invoice.booking_id == booking.id
            )
        )
        if existing is not None:
            return existing
        vat_pct = Decimal(20)
        net = int((Decimal(fee_minor) * 100 / (100 + vat_pct)).to_integral_value())
        line = PriceLine(
            description="Late cancellation fee",
            component="CANCELLATION",
            quantity=Decimal(1),
            unit="fee",
            unit_price=Decimal(net) / 100,
            amount_excl_vat_minor=net,
            vat_percent=vat_pct,
            vat_minor=fee_minor - net,
        )
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
        )
        if booking.company_id is None:
            self._collect(s, invoice, hold, f"booking:{booking.id}")
        elif hold is not None:
            self._release(s, hold)
        return invoice

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

    def _collect(self, s: Session, invoice: Invoice, hold: Payment | None, subject: str) -> None:
        """Take an invoice's total: capture the hold (up to its amount), charge any rest."""
        total = invoice.total_minor
        links = {"user_id": invoice.user_id, "invoice_id": invoice.id}
        if hold is not None:
            ref = hold.provider_ref or ""
            if total == 0:
                self._release(s, hold)
            else:
                taken = min(total, hold.amount_minor)
                key = f"capture:{subject}"
                self._pay(
                    s,
                    key,
                    "capture",
                    taken,
                    invoice.currency,
                    lambda: self.gateway.capture(ref=ref, amount_minor=taken, key=key),
                    booking_id=hold.booking_id,
                    **links,
                )
                hold.status = PaymentStatus.SUCCEEDED
                total -= taken
        if total > 0:
            key = f"charge:{subject}"
            user = s.get(User, invoice.user_id) if invoice.user_id else None
            customer = self._customer(s, user) if user else None
            rest = total
            self._pay(
                s,
                key,
                "charge",
                rest,
                invoice.currency,
                lambda: self.gateway.charge(
                    amount_minor=rest,
                    currency=invoice.currency,
                    customer=customer,
                    key=key,
                    meta={"invoice": invoice.number},
                    payment_method=user.stripe_payment_method_id if user else None,
                ),
                **links,
            )
        invoice.status = "paid"
        invoice.paid_at = invoice.issued_at

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
        )
        hold = self._hold(s, trip.booking_id)
        if trip.company_id is None:
            self._collect(s, invoice, hold, f"trip:{trip.id}")
        elif hold is not None:
            self._release(s, hold)
        return invoice

    def settle_charging(self, s: Session, tx: ChargingTransaction) -> Invoice | None:
        """Invoice a finished charging session once; company cards go on the monthly invoice."""
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
        )
        if tx.company_id is None and user is not None:
            self._collect(s, invoice, None, f"charging:{tx.id}")
        tx.billed = True
        return invoice

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
                Payment.kind.in_(("capture", "charge")),
                Payment.status == PaymentStatus.SUCCEEDED,
            )
        ).first()
        if taken is not None:
            key = f"refund:{note.number}"
            ref = taken.provider_ref or ""
            self._pay(
                s,
                key,
                "refund",
                amount_minor,
                invoice.currency,
                lambda: self.gateway.refund(ref=ref, amount_minor=amount_minor, key=key),
                user_id=invoice.user_id,
                invoice_id=note.id,
            )
            note.status = "paid"
        return note
