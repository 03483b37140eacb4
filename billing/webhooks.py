"""Stripe webhook endpoint: verify the signature, store the event once, apply it idempotently."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe
from flask import Blueprint, Flask, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from billing.provider_events import apply_event
from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database
from mobility.models import WebhookEvent
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
    obj = (data.get("data") or {}).get("object") if isinstance(data.get("data"), dict) else None
    if not isinstance(data.get("id"), str) or not isinstance(data.get("type"), str):
        return jsonify(error="invalid_payload", message="The event has no id or type."), 400
    if not isinstance(obj, dict):
        return jsonify(error="invalid_payload", message="The event has no data object."), 400
    try:
        with rt.db.transaction() as s:
            s.add(
                WebhookEvent(
                    provider="stripe", event_id=data["id"], type=data["type"], payload=data
                )
            )
            s.flush()
            outcome = apply_event(s, data["type"], obj)
            row = s.scalar(select(WebhookEvent).where(WebhookEvent.event_id == data["id"]))
            assert row is not None
            row.processed_at = utcnow()
    except IntegrityError:
        # The unique (provider, event_id) says we applied this event already: a replay.
        return jsonify(status="duplicate", event=data["id"]), 200
    return jsonify(status="processed", event=data["id"], outcome=outcome), 200
