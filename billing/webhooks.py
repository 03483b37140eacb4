"""Stripe webhook endpoint: verify the signature, store the event once, apply it idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database
from mobility.models import Invoice, InvoiceStatus, Payment, PaymentStatus, User, WebhookEvent
from mobility.web.extensions import csrf

bp = Blueprint("stripe_webhooks", __name__)
EXTENSION = "billing.webhooks"


@dataclass(frozen=True)
class WebhookContext:
    """What the webhook endpoint needs: the signing secret (settings) and the database."""

    settings: Settings
    db: Database


def _ctx() -> WebhookContext:
    found: WebhookContext = current_app.extensions[EXTENSION]
    return found


def init_app(app: Flask, context: WebhookContext) -> None:
    """Register the Stripe webhook endpoint (signed by Stripe, so no CSRF token)."""
    app.extensions[EXTENSION] = context
    csrf.exempt(bp)
    app.register_blueprint(bp)


_INTENT_STATUS = {
    "payment_intent.succeeded": PaymentStatus.SUCCEEDED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELLED,
    "payment_intent.amount_capturable_updated": PaymentStatus.REQUIRES_CAPTURE,
}


def apply_event(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    """Bring our payments in line with a provider event; returns what was done."""
    if event_type in _INTENT_STATUS:
        ref = obj.get("id")
        payments = s.scalars(select(Payment).where(Payment.provider_ref == ref)).all()
        for p in payments:
            if p.kind in ("hold", "capture", "charge"):
                if p.kind == "hold" and event_type == "payment_intent.succeeded":
                    continue  # the capture row records the money taken
                p.status = _INTENT_STATUS[event_type]
                if event_type == "payment_intent.payment_failed":
                    err = obj.get("last_payment_error") or {}
                    p.failure_reason = str(err.get("message") or "payment failed")
                if p.invoice_id and event_type == "payment_intent.succeeded":
                    invoice = s.get(Invoice, p.invoice_id)
                    if invoice is not None and invoice.paid_at is None:
                        invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
        return f"updated {len(payments)} payment(s)"
    if event_type == "charge.refunded":
        ref = obj.get("payment_intent")
        for p in s.scalars(select(Payment).where(Payment.provider_ref == ref)):
            if p.kind in ("capture", "charge") and obj.get("refunded"):
                p.status = PaymentStatus.REFUNDED
        return "refund recorded"
    if event_type == "charge.dispute.created":
        ref = obj.get("payment_intent")
        for p in s.scalars(select(Payment).where(Payment.provider_ref == ref)):
            if p.kind in ("capture", "charge"):
                p.status = PaymentStatus.DISPUTED
                p.failure_reason = f"dispute: {obj.get('reason', 'unknown')}"
        return "dispute recorded"
    if event_type == "setup_intent.succeeded":
        user = s.scalar(select(User).where(User.stripe_customer_id == obj.get("customer")))
        if user is None or not obj.get("payment_method"):
            return "ignored"
        user.stripe_payment_method_id = str(obj["payment_method"])
        return "card saved"
    if event_type.startswith("invoice."):
        return _apply_invoice_event(s, event_type, obj)
    return "ignored"


_INVOICE_STATUS = {
    "invoice.payment_failed": "payment_failed",
    "invoice.voided": "void",
    "invoice.marked_uncollectible": "uncollectible",
}


def _apply_invoice_event(s: Session, event_type: str, obj: dict[str, Any]) -> str:
    """Fleet invoices collected through Stripe Invoices."""
    invoice = s.scalar(select(Invoice).where(Invoice.stripe_invoice_id == obj.get("id")))
    if invoice is None:
        return "ignored"
    if event_type in ("invoice.paid", "invoice.payment_succeeded"):
        if invoice.paid_at is not None:
            return "already paid"  # both events arrive for one payment
        invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
        s.add(
            Payment(
                idempotency_key=f"stripe-invoice:{obj['id']}",
                kind="invoice",
                provider="stripe",
                provider_ref=str(obj.get("payment_intent") or obj["id"]),
                status=PaymentStatus.SUCCEEDED,
                amount_minor=int(obj.get("amount_paid") or invoice.total_minor),
                currency=invoice.currency,
                company_id=invoice.company_id,
                invoice_id=invoice.id,
            )
        )
        return "invoice paid"
    if event_type in _INVOICE_STATUS and invoice.paid_at is None:
        invoice.status = _INVOICE_STATUS[event_type]
        return f"invoice {invoice.status}"
    return "ignored"


@bp.post("/webhooks/stripe")
def stripe_webhook() -> Any:
    """Receive a Stripe event (signed with STRIPE_WEBHOOK_SECRET)."""
    rt = _ctx()
    secret = rt.settings.stripe_webhook_secret
    if not secret:
        return jsonify(error="not_configured", message="Stripe webhooks are not configured."), 404
    payload = request.get_data()
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret)
    except ValueError:
        return jsonify(error="invalid_payload", message="Body is not a Stripe event."), 400
    except stripe.SignatureVerificationError:
        current_app.logger.warning("rejected Stripe webhook with a bad signature")
        return jsonify(error="invalid_signature", message="Signature verification failed."), 400
    data = event.to_dict()
    try:
        with rt.db.transaction() as s:
            s.add(
                WebhookEvent(
                    provider="stripe", event_id=data["id"], type=data["type"], payload=data
                )
            )
            s.flush()
            outcome = apply_event(s, data["type"], data.get("data", {}).get("object", {}))
            row = s.scalar(select(WebhookEvent).where(WebhookEvent.event_id == data["id"]))
            assert row is not None
            row.processed_at = utcnow()
    except IntegrityError:
        # The unique (provider, event_id) says we applied this event already: a replay.
        return jsonify(status="duplicate", event=data["id"]), 200
    return jsonify(status="processed", event=data["id"], outcome=outcome), 200
