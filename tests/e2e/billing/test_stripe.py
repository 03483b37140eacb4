"""The real stripe library against localstripe, and signed webhooks through the Flask endpoint."""

import hashlib
import hmac
import json
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from billing.fleet_invoices import provider_lines, run_monthly, send_open_invoices
from billing.gateway import StripeGateway
from mobility.app import build_core, create_app
from mobility.errors import ValidationFailed
from mobility.models import (
    Company,
    Invoice,
    OutboxItem,
    Payment,
    PaymentStatus,
    User,
    WebhookEvent,
)
from tests.integration.billing.conftest import demo, make_booking, make_trip  # noqa: F401

pytestmark = pytest.mark.stripe
SECRET = "whsec_test_secret"


@pytest.fixture
def stripe_billing(settings, db, localstripe_url):
    stripe_settings = settings.with_(
        stripe_secret_key="sk_test_local",
        stripe_api_base=localstripe_url,
        stripe_webhook_secret=SECRET,
    )
    return build_core(stripe_settings, db=db).billing, stripe_settings


def _held(db, billing, demo, vehicle="bike", minutes=30):  # noqa: F811
    """A booking with its hold placed (after commit) at the provider."""
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo[vehicle], minutes=minutes)
        key = billing.hold_booking(s, booking).idempotency_key
    return booking, billing.payment(key)


def test_hold_then_capture_on_trip_end_with_real_stripe_library(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    booking, hold = _held(db, billing, demo)
    assert hold.provider == "stripe" and hold.provider_ref.startswith("pi_")
    assert hold.status == PaymentStatus.REQUIRES_CAPTURE
    with db.transaction() as s:
        invoice = billing.settle_trip(s, make_trip(s, s.merge(booking), minutes=30))
    with db.sessions() as s:
        assert s.get(Invoice, invoice.id).status == "paid"
    gw = billing.gateway
    assert isinstance(gw, StripeGateway)
    intent = gw.client.v1.payment_intents.retrieve(hold.provider_ref)
    assert intent.status == "succeeded"
    with db.sessions() as s:
        capture = s.scalar(select(Payment).where(Payment.kind == "capture"))
        assert capture.status == PaymentStatus.SUCCEEDED and capture.amount_minor == 660


def test_retry_after_crash_finds_intent_already_captured(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    gw = billing.gateway
    _, hold = _held(db, billing, demo)
    # The provider captured, then our process died before recording anything.
    gw.capture(ref=hold.provider_ref, amount_minor=660, key="capture:trip:crash")
    again = gw.capture(ref=hold.provider_ref, amount_minor=660, key="capture:trip:crash")
    assert again.status == "succeeded" and again.ref == hold.provider_ref


def test_cancel_releases_the_hold(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    booking, hold = _held(db, billing, demo, vehicle="car", minutes=60)
    with db.transaction() as s:
        billing.cancel_booking(s, s.merge(booking), 0)
    intent = billing.gateway.client.v1.payment_intents.retrieve(hold.provider_ref)
    assert intent.status == "canceled"


def test_saved_card_is_confirmed_with_stripe_and_used_for_holds(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    client = billing.gateway.client
    setup = billing.start_card_setup(demo["citizen"])
    assert setup.client_secret.startswith(setup.ref)
    # Not confirmed yet (the browser has not sent the card): nothing is saved.
    with pytest.raises(ValidationFailed, match="not succeeded"):
        billing.confirm_card(demo["citizen"], setup.ref)
    # What Stripe.js does in the browser with the client secret and the card the user typed.
    card = {"number": "5555555555554444", "exp_month": 12, "exp_year": 2031, "cvc": "123"}
    typed = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.setup_intents.confirm(setup.ref, params={"payment_method": typed.id})
    pm = billing.confirm_card(demo["citizen"], setup.ref)
    with db.sessions() as s:
        customer = client.v1.customers.retrieve(s.get(User, demo["citizen"]).stripe_customer_id)
    assert customer.invoice_settings.default_payment_method == pm
    _, hold = _held(db, billing, demo)
    intent = client.v1.payment_intents.retrieve(hold.provider_ref)
    assert intent.payment_method == pm and intent.status == "requires_capture"


def test_live_mode_without_a_saved_card_refuses_to_hold(db, settings, localstripe_url, demo):  # noqa: F811
    live_settings = settings.with_(
        stripe_secret_key="sk_live_local", stripe_api_base=localstripe_url
    )
    live = build_core(live_settings, db=db).billing
    _, hold = _held(db, live, demo)
    # A refusal is final (not retried) and says why.
    assert hold.status == PaymentStatus.FAILED and "No saved payment card" in hold.failure_reason
    with db.sessions() as s:
        item = s.scalar(select(OutboxItem).where(OutboxItem.key.endswith(hold.idempotency_key)))
        assert item.status == "done"


def _fleet_month(db, billing, demo):  # noqa: F811
    with db.transaction() as s:
        booking = make_booking(
            s, billing, demo["driver"], demo["car"], minutes=60, company_id=demo["company"]
        )
        trip_inv = billing.settle_trip(s, make_trip(s, booking, minutes=60, km="12"))
    tz = ZoneInfo(billing.settings.timezone)
    month = trip_inv.issued_at.astimezone(tz)
    [number] = run_monthly(db, month.year, month.month, tz)
    return number


def test_fleet_invoice_goes_out_once_through_stripe_invoices(db, stripe_billing, demo):  # noqa: F811
    billing, settings = stripe_billing
    gw = billing.gateway
    number = _fleet_month(db, billing, demo)
    with db.sessions() as s:
        monthly = s.scalar(select(Invoice).where(Invoice.number == number))
        lines = provider_lines(s.get(Invoice, monthly.id, options=[selectinload(Invoice.lines)]))
    assert lines and all(ln.amount_minor > 0 for ln in lines), lines
    # A run that reached Stripe and died before committing: items and the invoice exist there.
    company_customer = gw.ensure_customer(
        existing=None, email="fleet@x.org", name="Confluence", key="cus:company"
    )
    with db.transaction() as s:
        s.get(Company, demo["company"]).stripe_customer_id = company_customer
    first = gw.issue_invoice(
        customer=company_customer, number=number, currency="EUR", lines=lines, days_until_due=30
    )
    assert send_open_invoices(db, gw) == 1
    assert send_open_invoices(db, gw) == 0  # nothing left to send
    remote = gw.client.v1.invoices.list(params={"customer": company_customer})
    assert [inv.id for inv in remote.data] == [first.ref]
    sent = gw.client.v1.invoices.retrieve(first.ref)
    assert sent.status == "open" and sent.collection_method == "send_invoice"
    with db.sessions() as s:
        monthly = s.scalar(select(Invoice).where(Invoice.number == number))
        assert monthly.stripe_invoice_id == first.ref and monthly.status == "open"
        assert sent.amount_due == monthly.total_minor

    # Stripe reports the payment (both events arrive); a replay changes nothing.
    client = create_app(settings, db=db).test_client()
    paid = {"id": first.ref, "object": "invoice", "amount_paid": sent.amount_due}
    for event in (
        _event("evt_paid", "invoice.paid", paid),
        _event("evt_paid", "invoice.paid", paid),
        _event("evt_succ", "invoice.payment_succeeded", paid),
    ):
        body, sig = _signed(event)
        assert (
            client.post(
                "/webhooks/stripe", data=body, headers={"Stripe-Signature": sig}
            ).status_code
            == 200
        )
    with db.sessions() as s:
        monthly = s.scalar(select(Invoice).where(Invoice.number == number))
        assert monthly.status == "paid" and monthly.paid_at is not None
        payments = s.scalars(select(Payment).where(Payment.invoice_id == monthly.id)).all()
        assert [(p.kind, p.amount_minor) for p in payments] == [("invoice", monthly.total_minor)]


def test_failed_fleet_invoice_payment_is_recorded(db, stripe_billing, demo):  # noqa: F811
    billing, settings = stripe_billing
    number = _fleet_month(db, billing, demo)
    assert send_open_invoices(db, billing.gateway) == 1
    with db.sessions() as s:
        ref = s.scalar(select(Invoice.stripe_invoice_id).where(Invoice.number == number))
    client = create_app(settings, db=db).test_client()
    body, sig = _signed(_event("evt_fail", "invoice.payment_failed", {"id": ref}))
    r = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": sig})
    assert r.get_json()["outcome"] == "invoice payment_failed"
    with db.sessions() as s:
        assert s.scalar(select(Invoice.status).where(Invoice.number == number)) == "payment_failed"


def test_setup_intent_webhook_saves_the_card(db, stripe_billing, demo):  # noqa: F811
    billing, settings = stripe_billing
    billing.start_card_setup(demo["citizen"])
    with db.sessions() as s:
        customer = s.get(User, demo["citizen"]).stripe_customer_id
    client = create_app(settings, db=db).test_client()
    obj = {"id": "seti_1", "customer": customer, "payment_method": "pm_1", "status": "succeeded"}
    body, sig = _signed(_event("evt_seti", "setup_intent.succeeded", obj))
    assert (
        client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": sig}).status_code
        == 200
    )
    with db.sessions() as s:
        assert s.get(User, demo["citizen"]).stripe_payment_method_id == "pm_1"


def _signed(payload: dict, secret: str = SECRET, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    ts = int(time.time()) if at is None else at
    sig = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={ts},v1={sig}"


def _event(event_id: str, kind: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "data": {"object": obj},
        "api_version": "2024-06-20",
        "created": int(time.time()),
    }


def test_webhooks_verified_applied_once_and_forgeries_rejected(db, stripe_billing, demo):  # noqa: F811
    billing, settings = stripe_billing
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        billing.settle_trip(s, make_trip(s, booking, minutes=30))  # no hold -> a charge
    with db.sessions() as s:
        ref = s.scalar(select(Payment).where(Payment.kind == "charge")).provider_ref
    app = create_app(settings, db=db)
    client = app.test_client()

    dispute = _event("evt_1", "charge.dispute.created", {"payment_intent": ref, "reason": "fraud"})
    body, sig = _signed(dispute)
    forged_body, forged_sig = _signed(dispute, secret="whsec_wrong")
    r = client.post("/webhooks/stripe", data=forged_body, headers={"Stripe-Signature": forged_sig})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_signature"
    stale_body, stale_sig = _signed(dispute, at=int(time.time()) - 3600)
    r = client.post("/webhooks/stripe", data=stale_body, headers={"Stripe-Signature": stale_sig})
    assert r.status_code == 400
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 0
        assert s.scalar(select(Payment.status).where(Payment.provider_ref == ref)) == "succeeded"

    r = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": sig})
    assert r.status_code == 200 and r.get_json()["status"] == "processed"
    r = client.post("/webhooks/stripe", data=body, headers={"Stripe-Signature": sig})
    assert r.status_code == 200 and r.get_json()["status"] == "duplicate"
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        assert s.scalar(select(Payment.status).where(Payment.provider_ref == ref)) == "disputed"
    r = client.post("/webhooks/stripe", data=b"not json", headers={"Stripe-Signature": sig})
    assert r.status_code == 400


def test_card_api_hands_out_a_setup_and_checks_it_with_stripe(db, stripe_billing, demo):  # noqa: F811
    _, settings = stripe_billing
    from mobility.app import create_app as make_app
    from mobility.demo import DEMO_PASSWORD

    client = make_app(settings, db=db).test_client()
    r = client.post(
        "/api/v1/tokens", json={"email": "citizen@example.org", "password": DEMO_PASSWORD}
    )
    h = {"Authorization": f"Bearer {r.get_json()['token']}"}
    r = client.post("/api/v1/me/card", headers=h)
    assert r.status_code == 201 and r.get_json()["client_secret"].startswith("seti_")
    seti = r.get_json()["setup_intent"]
    r = client.post("/api/v1/me/card/confirm", headers=h, json={"setup_intent": seti})
    assert r.status_code == 422 and r.get_json()["details"]["field"] == "setup_intent"
    r = client.post("/api/v1/me/card/confirm", headers=h, json={})
    assert r.status_code == 422
    stripe_client = StripeGateway("sk_test_local", settings.stripe_api_base).client
    stripe_client.v1.setup_intents.confirm(seti, params={"payment_method": "pm_card_visa"})
    r = client.post("/api/v1/me/card/confirm", headers=h, json={"setup_intent": seti})
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=h).get_json()["card_saved"] is True
