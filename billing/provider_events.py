"""Provider events (Stripe) applied to our payments, cards and invoices, forward only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.states import invoice_may_become, payment_may_become
from mobility.clock import utcnow
from mobility.models import (
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    User,
)

_INTENT_STATUS = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELLED,
    "payment_intent.amount_capturable_updated": PaymentStatus.REQUIRES_CAPTURE,
}
_INVOICE_STATUS = {
    "invoice.paid": InvoiceStatus.PAID,
    "invoice.payment_succeeded": InvoiceStatus.PAID,
    "invoice.payment_failed": InvoiceStatus.PAYMENT_FAILED,
    "invoice.voided": InvoiceStatus.VOID,
    "invoice.marked_uncollectible": InvoiceStatus.UNCOLLECTIBLE,
}


def _ref(obj: dict[str, Any], key: str) -> str | None:
    """A provider id from the event, or None (never match our rows on a missing id)."""
    value = obj.get(key)
    return value if isinstance(value, str) and value else None


def _payments(s: Session, ref: str | None) -> list[Payment]:
    if ref is None:
        return []
    return list(s.scalars(select(Payment).where(Payment.provider_ref == ref)))


def _move(p: Payment, new: PaymentStatus, reason: str | None = None) -> bool:
    if not payment_may_become(p.status, new):
        return False
    p.status = new
    if reason is not None:
        p.failure_reason = reason
    return True


def apply_event(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    """Bring our records in line with a provider event; returns what was done."""
    if event_type in _INTENT_STATUS:
        return _intent_event(s, event_type, obj)
    if event_type == "charge.refunded":
        moved = [
            p
            for p in _payments(s, _ref(obj, "payment_intent"))
            if p.kind in (PaymentKind.CAPTURE, PaymentKind.CHARGE)
            and obj.get("refunded") is True
            and _move(p, PaymentStatus.REFUNDED)
        ]
        return f"refunded {len(moved)} payment(s)"
    if event_type == "charge.dispute.created":
        reason = f"dispute: {obj.get('reason', 'unknown')}"
        moved = [
            p
            for p in _payments(s, _ref(obj, "payment_intent"))
            if p.kind in (PaymentKind.CAPTURE, PaymentKind.CHARGE)
            and _move(p, PaymentStatus.DISPUTED, reason)
        ]
        return f"disputed {len(moved)} payment(s)"
    if event_type == "setup_intent.succeeded":
        return _card_saved(s, obj)
    if event_type in _INVOICE_STATUS:
        return _invoice_event(s, event_type, obj)
    return "ignored"


def _intent_event(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    new = _INTENT_STATUS[event_type]
    moved = 0
    for p in _payments(s, _ref(obj, "id")):
        if p.kind not in (PaymentKind.HOLD, PaymentKind.CAPTURE, PaymentKind.CHARGE):
            continue
        if p.kind == PaymentKind.HOLD and new == PaymentStatus.SUCCEEDED:
            continue  # the capture row records the money taken
        reason = None
        if new == PaymentStatus.FAILED:
            err = obj.get("last_payment_error")
            message = err.get("message") if isinstance(err, dict) else None
            reason = str(message or "payment failed")
        if _move(p, new, reason):
            moved += 1
            if p.invoice_id and new == PaymentStatus.SUCCEEDED:
                invoice = s.get(Invoice, p.invoice_id)
                if invoice is not None and invoice_may_become(invoice.status, InvoiceStatus.PAID):
                    invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
    return f"updated {moved} payment(s)"


def _card_saved(s: Session, obj: dict[str, Any]) -> str:
    customer, card = _ref(obj, "customer"), _ref(obj, "payment_method")
    if customer is None or card is None:
        return "ignored"
    user = s.scalar(select(User).where(User.stripe_customer_id == customer))
    if user is None:
        return "ignored"
    user.stripe_payment_method_id = card
    return "card saved"


def _invoice_event(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    """Fleet invoices collected through Stripe Invoices."""
    ref = _ref(obj, "id")
    invoice = s.scalar(select(Invoice).where(Invoice.stripe_invoice_id == ref)) if ref else None
    if invoice is None or ref is None:
        return "ignored"
    new = _INVOICE_STATUS[event_type]
    if not invoice_may_become(invoice.status, new):
        return f"invoice already {invoice.status}"
    invoice.status = new
    if new != InvoiceStatus.PAID:
        return f"invoice {new}"
    invoice.paid_at = utcnow()
    amount = obj.get("amount_paid")
    s.add(
        Payment(
            idempotency_key=f"stripe-invoice:{ref}",
            kind=PaymentKind.INVOICE,
            provider="stripe",
            provider_ref=_ref(obj, "payment_intent") or ref,
            status=PaymentStatus.SUCCEEDED,
            amount_minor=amount if isinstance(amount, int) and amount >= 0 else invoice.total_minor,
            currency=invoice.currency,
            company_id=invoice.company_id,
            invoice_id=invoice.id,
        )
    )
    return "invoice paid"
