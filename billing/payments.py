"""Carries out payment intents after commit: one provider call per payment row, then its outcome.

Billing records a Payment row (pending) and an outbox intent in the use case's transaction;
this runner reads the row, calls the provider outside any transaction, and records what the
provider said in a short transaction of its own. States only move forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.gateway import GatewayResult, PaymentGateway
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import PaymentFailed
from mobility.models import (
    Booking,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    User,
)
from mobility.outbox import Outbox, Retry

OUTBOX_KIND = "payment"
_STATUS = {
    "requires_capture": PaymentStatus.REQUIRES_CAPTURE,
    "succeeded": PaymentStatus.SUCCEEDED,
    "cancelled": PaymentStatus.CANCELLED,
    "canceled": PaymentStatus.CANCELLED,
    "failed": PaymentStatus.FAILED,
}
# Kinds whose success takes an invoice's money (or gives a credit note's back).
_COLLECTING = (PaymentKind.CAPTURE, PaymentKind.CHARGE, PaymentKind.REFUND)


@dataclass(frozen=True)
class _Job:
    """What one provider call needs, read in a short transaction."""

    payment_id: int
    kind: str
    key: str
    amount_minor: int
    currency: str
    user_id: int | None
    parent_ref: str | None
    meta: dict[str, str]


class PaymentRunner:
    """The outbox handler of payment intents."""

    def __init__(self, db: Database, gateway: PaymentGateway, outbox: Outbox) -> None:
        self.db = db
        self.gateway = gateway
        self.outbox = outbox

    def __call__(self, payload: dict[str, Any]) -> None:
        """Carry out the payment `payload["payment_id"]` once (a repeat finds it settled)."""
        payment_id = int(payload["payment_id"])
        try:
            job = self._load(payment_id)
            if job is None:
                return
            result = self._call(job)
        except PaymentFailed as exc:  # a refusal is final; outages raise other errors (retried)
            self._refused(payment_id, exc.message)
            return
        self._record(payment_id, result)

    def _load(self, payment_id: int) -> _Job | None:
        with self.db.sessions() as s:
            p = s.get(Payment, payment_id)
            if p is None or p.status != PaymentStatus.PENDING:
                return None
            parent = s.get(Payment, p.parent_id) if p.parent_id else None
            if parent is not None and parent.status == PaymentStatus.FAILED:
                raise PaymentFailed(f"payment {parent.id} it acts on failed")
            if parent is not None and not parent.provider_ref:
                raise Retry(f"waiting for payment {parent.id}")
            meta = {"booking_id": str(p.booking_id)} if p.booking_id else {}
            if p.invoice_id:
                invoice = s.get(Invoice, p.invoice_id)
                meta["invoice"] = invoice.number if invoice else str(p.invoice_id)
            return _Job(
                payment_id=p.id,
                kind=p.kind,
                key=p.idempotency_key,
                amount_minor=p.amount_minor,
                currency=p.currency,
                user_id=p.user_id,
                parent_ref=parent.provider_ref if parent else None,
                meta=meta,
            )

    def _call(self, job: _Job) -> GatewayResult:
        gw = self.gateway
        if job.kind in (PaymentKind.HOLD, PaymentKind.CHARGE):
            customer, card = self._customer(job.user_id)
            op = gw.authorize if job.kind == PaymentKind.HOLD else gw.charge
            return op(
                amount_minor=job.amount_minor,
                currency=job.currency,
                customer=customer,
                key=job.key,
                meta=job.meta,
                payment_method=card,
            )
        ref = job.parent_ref or ""
        if job.kind == PaymentKind.CAPTURE:
            return gw.capture(ref=ref, amount_minor=job.amount_minor, key=job.key)
        if job.kind == PaymentKind.RELEASE:
            return gw.release(ref=ref, key=job.key)
        if job.kind == PaymentKind.REFUND:
            return gw.refund(ref=ref, amount_minor=job.amount_minor, key=job.key)
        raise ValueError(f"cannot carry out a {job.kind} payment")

    def _customer(self, user_id: int | None) -> tuple[str | None, str | None]:
        """The provider's customer and saved card of the payer (created once, outside locks)."""
        if user_id is None or self.gateway.name == "offline":
            return None, None
        with self.db.sessions() as s:
            user = s.get(User, user_id)
            if user is None:
                return None, None
            existing, email, name = user.stripe_customer_id, user.email, user.full_name
            card = user.stripe_payment_method_id
        ref = self.gateway.ensure_customer(
            existing=existing, email=email, name=name, key=f"customer:user:{user_id}"
        )
        if ref != existing:
            with self.db.transaction() as s:
                fresh = s.get(User, user_id)
                if fresh is not None and fresh.stripe_customer_id is None:
                    fresh.stripe_customer_id = ref
        return ref, card

    def _refused(self, payment_id: int, reason: str) -> None:
        with self.db.transaction() as s:
            p = s.get(Payment, payment_id)
            if p is not None and p.status == PaymentStatus.PENDING:
                p.status, p.failure_reason = PaymentStatus.FAILED, reason

    def _record(self, payment_id: int, result: GatewayResult) -> None:
        with self.db.transaction() as s:
            p = s.get(Payment, payment_id, with_for_update=True)
            if p is None or p.status != PaymentStatus.PENDING:
                return  # a webhook or another runner recorded it first
            p.provider_ref = result.ref
            p.status = _STATUS.get(result.status, PaymentStatus.PENDING)
            _follow_up(s, p)
            if p.kind == PaymentKind.HOLD and p.status == PaymentStatus.REQUIRES_CAPTURE:
                self._release_superseded(s, p)

    def _release_superseded(self, s: Session, hold: Payment) -> None:
        """A booking keeps one live hold: a newer one (after a change) releases the older."""
        older = s.scalars(
            select(Payment).where(
                Payment.booking_id == hold.booking_id,
                Payment.kind == PaymentKind.HOLD,
                Payment.status == PaymentStatus.REQUIRES_CAPTURE,
                Payment.id < hold.id,
            )
        )
        for old in older:
            key = f"release:payment:{old.id}"
            release = Payment(
                idempotency_key=key,
                kind=PaymentKind.RELEASE,
                provider=self.gateway.name,
                amount_minor=0,
                currency=old.currency,
                user_id=old.user_id,
                booking_id=old.booking_id,
                parent_id=old.id,
            )
            s.add(release)
            s.flush()
            self.outbox.record(s, OUTBOX_KIND, f"{OUTBOX_KIND}:{key}", {"payment_id": release.id})


def _follow_up(s: Session, p: Payment) -> None:
    """What a payment's outcome changes: its hold, its booking, its invoice."""
    parent = s.get(Payment, p.parent_id) if p.parent_id else None
    if p.kind == PaymentKind.HOLD and p.booking_id is not None:
        booking = s.get(Booking, p.booking_id)
        if booking is not None and p.status == PaymentStatus.REQUIRES_CAPTURE:
            booking.payment_hold_ref = p.provider_ref
    elif parent is not None and p.status == PaymentStatus.SUCCEEDED:
        if p.kind == PaymentKind.CAPTURE and parent.status == PaymentStatus.REQUIRES_CAPTURE:
            parent.status = PaymentStatus.SUCCEEDED
    elif (
        parent is not None
        and p.kind == PaymentKind.RELEASE
        and parent.status == PaymentStatus.REQUIRES_CAPTURE
    ):
        parent.status = PaymentStatus.CANCELLED
    if p.invoice_id is not None:
        settle_invoice(s, p.invoice_id)


def settle_invoice(s: Session, invoice_id: int) -> None:
    """Mark an invoice paid once every payment collecting it succeeded."""
    invoice = s.get(Invoice, invoice_id)
    if invoice is None or invoice.paid_at is not None:
        return
    statuses = list(
        s.scalars(
            select(Payment.status).where(
                Payment.invoice_id == invoice_id, Payment.kind.in_(_COLLECTING)
            )
        )
    )
    if statuses and all(st == PaymentStatus.SUCCEEDED for st in statuses):
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
