"""The real stripe library against localstripe, and signed webhooks through the Flask endpoint."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from billing.facade import Billing
from billing.gateway import StripeGateway
from booking.app import create_app
from mobility.models import Payment, PaymentStatus, WebhookEvent
from tests.integration.billing.conftest import demo, make_booking, make_trip  # noqa: F401

pytestmark = pytest.mark.stripe
SECRET = "whsec_test_secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def localstripe_url():
    port = _free_port()
    exe = Path(sys.executable).parent / "localstripe"
    proc = subprocess.Popen(
        [str(exe), "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("localstripe did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def stripe_billing(settings, localstripe_url):
    stripe_settings = settings.with_(
        stripe_secret_key="sk_test_local",
        stripe_api_base=localstripe_url,
        stripe_webhook_secret=SECRET,
    )
    return Billing(stripe_settings), stripe_settings


def test_hold_then_capture_on_trip_end_with_real_stripe_library(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        hold = billing.hold_booking(s, booking)
        assert hold.provider == "stripe" and hold.provider_ref.startswith("pi_")
        assert hold.status == PaymentStatus.REQUIRES_CAPTURE
        invoice = billing.settle_trip(s, make_trip(s, booking, minutes=30))
        assert invoice.status == "paid"
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
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        hold = billing.hold_booking(s, booking)
    # The provider captured, then our process died before recording anything.
    gw.capture(ref=hold.provider_ref, amount_minor=660, key="capture:trip:crash")
    again = gw.capture(ref=hold.provider_ref, amount_minor=660, key="capture:trip:crash")
    assert again.status == "succeeded" and again.ref == hold.provider_ref


def test_cancel_releases_the_hold(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["car"], minutes=60)
        hold = billing.hold_booking(s, booking)
        billing.cancel_booking(s, booking, 0)
    intent = billing.gateway.client.v1.payment_intents.retrieve(hold.provider_ref)
    assert intent.status == "canceled"


def test_saved_card_setup_intent_and_customer(db, stripe_billing, demo):  # noqa: F811
    billing, _ = stripe_billing
    cus = billing.gateway.ensure_customer(existing=None, email="c@x.org", name="C", key="cus:c")
    setup = billing.gateway.setup_card(customer=cus, key="seti:c")
    assert cus.startswith("cus_") and setup.client_secret.startswith(setup.ref)


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
        charge = s.scalar(select(Payment).where(Payment.kind == "charge"))
        ref = charge.provider_ref
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
