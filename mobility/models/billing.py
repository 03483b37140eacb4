"""Tariffs (OCPI 2.2.1 shaped), invoices, payments and payment-provider records."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class TariffScope(StrEnum):
    """What a tariff prices."""

    EBIKE = "ebike"
    ECAR = "ecar"
    CHARGING = "charging"


class InvoiceKind(StrEnum):
    """Why an invoice exists."""

    TRIP = "trip"
    CHARGING = "charging"
    FLEET_MONTHLY = "fleet_monthly"
    CANCELLATION = "cancellation"
    CREDIT_NOTE = "credit_note"


class InvoiceStatus(StrEnum):
    """Where an invoice stands (consolidated: moved onto a company's monthly invoice)."""

    OPEN = "open"
    PAID = "paid"
    CONSOLIDATED = "consolidated"
    PAYMENT_FAILED = "payment_failed"
    VOID = "void"
    UNCOLLECTIBLE = "uncollectible"


class PaymentKind(StrEnum):
    """What a payment row moved: a hold, its capture or release, a charge, refund, invoice."""

    HOLD = "hold"
    CAPTURE = "capture"
    RELEASE = "release"
    CHARGE = "charge"
    REFUND = "refund"
    INVOICE = "invoice"


class PaymentStatus(StrEnum):
    """State of money movement with a provider."""

    PENDING = "pending"
    REQUIRES_CAPTURE = "requires_capture"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"
    DISPUTED = "disputed"


class Tariff(IdMixin, TimestampMixin, Base):
    """A tariff; `elements` follows OCPI 2.2.1 TariffElement (price components + restrictions)."""

    __tablename__ = "tariffs"
    __table_args__ = (one_of("scope", TariffScope),)

    code: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20), index=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    elements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # OCPI Price bounds: a session costs at least min and at most max, each figure held
    # (billing.pricing states how the VAT of the adjustment is chosen).
    min_price_excl_vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    max_price_excl_vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    min_price_incl_vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    max_price_incl_vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    # Cap per calendar day (local time) for long rentals.
    daily_cap_excl_vat: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    default_vat_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("20"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    valid_from: Mapped[datetime | None]
    valid_to: Mapped[datetime | None]
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class InvoiceSequence(Base):
    """Gap-free invoice numbering per series (e.g. 'INV-2026')."""

    __tablename__ = "invoice_sequences"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer, default=1)


class Invoice(IdMixin, Base):
    """An immutable, numbered invoice or credit note."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("kind", "trip_id"),
        UniqueConstraint("kind", "charging_transaction_id"),
        UniqueConstraint("kind", "company_id", "period_start"),
        Index("ix_invoices_user_issued", "user_id", "issued_at"),
        # The console's dashboard sums revenue by time of issue.
        Index("ix_invoices_issued", "issued_at"),
        one_of("kind", InvoiceKind),
        one_of("status", InvoiceStatus),
    )

    number: Mapped[str] = mapped_column(String(30), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    charging_transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("charging_transactions.id", ondelete="SET NULL")
    )
    credit_for_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    period_start: Mapped[datetime | None]
    period_end: Mapped[datetime | None]
    currency: Mapped[str] = mapped_column(String(3))
    total_excl_vat_minor: Mapped[int] = mapped_column(BigInteger)
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    total_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.OPEN)
    # Customer details frozen at issue time (invoices are immutable documents).
    bill_to: Mapped[dict[str, Any]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    paid_at: Mapped[datetime | None]
    stripe_invoice_id: Mapped[str | None] = mapped_column(String(64))
    # The tariff that priced it (a credit note: its original's), for revenue per tariff.
    tariff_code: Mapped[str | None] = mapped_column(String(36))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice",
        order_by="InvoiceLine.position",
        foreign_keys="InvoiceLine.invoice_id",
    )


class InvoiceLine(IdMixin, Base):
    """One priced line of an invoice."""

    __tablename__ = "invoice_lines"

    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    component: Mapped[str] = mapped_column(String(30))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price_excl_vat: Mapped[Decimal] = mapped_column(Numeric(14, 6))
    amount_excl_vat_minor: Mapped[int] = mapped_column(BigInteger)
    vat_percent: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    vat_minor: Mapped[int] = mapped_column(BigInteger)
    member_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    cost_centre_id: Mapped[int | None] = mapped_column(
        ForeignKey("cost_centres.id", ondelete="SET NULL")
    )
    source_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoices.id", ondelete="SET NULL")
    )

    invoice: Mapped[Invoice] = relationship(back_populates="lines", foreign_keys=[invoice_id])


class PaymentMethod(IdMixin, TimestampMixin, Base):
    """A saved card (or other method) at a payment provider."""

    __tablename__ = "payment_methods"

    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    provider_ref: Mapped[str] = mapped_column(String(64), unique=True)
    brand: Mapped[str | None] = mapped_column(String(20))
    last4: Mapped[str | None] = mapped_column(String(4))
    exp_month: Mapped[int | None] = mapped_column(Integer)
    exp_year: Mapped[int | None] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean, default=True)


class Payment(IdMixin, TimestampMixin, Base):
    """Money moved (or held) with a provider; the idempotency key makes retries safe."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_minor >= 0", name="amount_positive"),
        Index("ix_payments_booking", "booking_id"),
        one_of("kind", PaymentKind),
        one_of("status", PaymentStatus),
    )

    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # hold, capture, charge, refund, release
    provider: Mapped[str] = mapped_column(String(20))
    provider_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default=PaymentStatus.PENDING)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="SET NULL"))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id", ondelete="SET NULL"))
    # The payment this one acts on: the hold a capture/release takes from, what a refund returns.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="SET NULL"))
    failure_reason: Mapped[str | None] = mapped_column(Text)


class WebhookEvent(IdMixin, Base):
    """A provider webhook received; the unique event id makes replays no-ops."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("provider", "event_id"),)

    provider: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
