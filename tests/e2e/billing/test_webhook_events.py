"""Signed provider events through the webhook endpoint: replays, disorder, bad bodies, nulls."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from mobility.app import create_app
from mobility.demo import seed_demo
from mobility.models import Payment, User
from tests.e2e.billing.test_stripe import SECRET, _event, _signed


@pytest.fixture
def client(db, settings) -> Any:
    seed_demo(db)
    return create_app(settings.with_(stripe_webhook_secret=SECRET), db=db).test_client()


def _post(client: Any, event: dict[str, Any]) -> Any:
    body, sig = _signed(event)
    return client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": sig})


def _payment(db: Any, **fields: Any) -> int:
    with db.transaction() as s:
        p = Payment(provider="stripe", currency="EUR", amount_minor=500, **fields)
        s.add(p)
        s.flush()
        return p.id


def _status(db: Any, pid: int) -> str:
    with db.sessions() as s:
        return s.get(Payment, pid).status


def test_late_and_repeated_events_never_move_a_payment_back(client, db):
    pid = _payment(
        db, idempotency_key="charge:t:1", kind="charge", provider_ref="pi_1", status="succeeded"
    )
    refund = _event("evt_r", "charge.refunded", {"payment_intent": "pi_1", "refunded": True})
    assert _post(client, refund).status_code == 200
    assert _status(db, pid) == "refunded"
    # The success event arrives late (out of order), then is replayed under a new event id.
    for n in range(2):
        late = _event(f"evt_s{n}", "payment_intent.succeeded", {"id": "pi_1"})
        assert _post(client, late).status_code == 200
    assert _status(db, pid) == "refunded"
    hold = _payment(
        db, idempotency_key="capture:t:2", kind="capture", provider_ref="pi_2", status="succeeded"
    )
    capturable = _event("evt_c", "payment_intent.amount_capturable_updated", {"id": "pi_2"})
    assert _post(client, capturable).status_code == 200
    assert _status(db, hold) == "succeeded"


def test_events_without_a_customer_or_intent_match_nobody(client, db):
    with db.sessions() as s:
        users = s.scalars(select(User).where(User.stripe_customer_id.is_(None))).all()
        assert users  # accounts without a Stripe customer exist
    orphan = _event("evt_x", "setup_intent.succeeded", {"customer": None, "payment_method": "pm_x"})
    r = _post(client, orphan)
    assert r.status_code == 200 and r.get_json()["outcome"] == "ignored"
    with db.sessions() as s:
        assert s.scalar(select(User).where(User.stripe_payment_method_id == "pm_x")) is None
    nulls = _payment(db, idempotency_key="hold:b:9", kind="hold", status="pending")
    assert _post(client, _event("evt_y", "payment_intent.canceled", {})).status_code == 200
    assert _status(db, nulls) == "pending"


@pytest.mark.parametrize(
    "body",
    [
        {"id": "evt_1", "type": "payment_intent.succeeded", "data": "oops"},
        {"id": "evt_2", "type": "payment_intent.succeeded"},
        {"type": "payment_intent.succeeded", "data": {"object": {}}},
        {"id": 7, "type": "x", "data": {"object": {}}},
    ],
)
def test_signed_but_malformed_bodies_are_refused_with_400(client, body):
    r = _post(client, body)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_payload"
