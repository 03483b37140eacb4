"""An erased account's Stripe customer is deleted through the real stripe library (localstripe)."""

from __future__ import annotations

import pytest
import stripe
from sqlalchemy import select, update

from billing.customers import deletion_key
from billing.gateway import StripeGateway
from booking import erasure
from mobility.app import build_core
from mobility.clock import utcnow
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.models import OutboxItem, OutboxStatus, User
from tests.support.stripe_server import free_port

pytestmark = pytest.mark.stripe


@pytest.fixture
def stripe_settings(settings, localstripe_url):
    return settings.with_(stripe_secret_key="sk_test_local", stripe_api_base=localstripe_url)


@pytest.fixture
def citizen(db) -> int:
    seed_demo(db)
    with db.sessions() as s:
        return s.scalar(select(User.id).where(User.email == "citizen@example.org"))


def _exists(gw: StripeGateway, customer: str) -> bool:
    try:
        gw.client.v1.customers.retrieve(customer)
    except stripe.InvalidRequestError as exc:
        assert exc.http_status == 404
        return False
    return True


def _item(db, customer: str) -> OutboxItem:
    with db.sessions() as s:
        return s.scalar(select(OutboxItem).where(OutboxItem.key == deletion_key(customer)))


def test_erasing_the_account_deletes_its_customer_and_saved_card(db, stripe_settings, citizen):
    core = build_core(stripe_settings, db=db)
    gw = core.gateway
    assert isinstance(gw, StripeGateway)
    setup = core.billing.start_card_setup(citizen)  # creates the customer at Stripe
    card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "123"}
    typed = gw.client.v1.payment_methods.create(params={"type": "card", "card": card})
    gw.client.v1.setup_intents.confirm(setup.ref, params={"payment_method": typed.id})
    core.billing.confirm_card(citizen, setup.ref)
    with db.sessions() as s:
        customer = s.get(User, citizen).stripe_customer_id
    assert customer.startswith("cus_") and _exists(gw, customer)
    erasure.delete_account(core.db, core.outbox, citizen, DEMO_PASSWORD)
    core.outbox.flush()
    assert not _exists(gw, customer)
    assert _item(db, customer).status == OutboxStatus.DONE
    core.outbox.close()


def test_a_stripe_outage_is_retried_by_the_outbox_job(db, stripe_settings, citizen):
    up = build_core(stripe_settings, db=db)
    customer = up.gateway.ensure_customer(
        existing=None, email="citizen@example.org", name="Citizen", key=f"cus:outage:{citizen}"
    )
    with db.transaction() as s:
        s.get(User, citizen).stripe_customer_id = customer
    # Stripe cannot be reached when the account is erased: the erasure stands, the call waits.
    down = build_core(
        stripe_settings.with_(stripe_api_base=f"http://127.0.0.1:{free_port()}"), db=db
    )
    erasure.delete_account(down.db, down.outbox, citizen, DEMO_PASSWORD)
    down.outbox.flush()
    down.outbox.close()
    item = _item(db, customer)
    assert item.status == OutboxStatus.PENDING and "provider error" in item.last_error
    assert _exists(up.gateway, customer)
    with db.transaction() as s:  # Stripe is back and the backoff has passed
        s.execute(update(OutboxItem).values(next_attempt_at=utcnow()))
    assert up.outbox.run_due() == 1
    assert not _exists(up.gateway, customer)
    assert _item(db, customer).status == OutboxStatus.DONE
    up.outbox.close()


def test_a_customer_stripe_no_longer_knows_counts_as_deleted(db, stripe_settings, citizen):
    core = build_core(stripe_settings, db=db)
    gw = core.gateway
    assert isinstance(gw, StripeGateway)
    customer = gw.ensure_customer(
        existing=None, email="citizen@example.org", name="Citizen", key=f"cus:gone:{citizen}"
    )
    gw.client.v1.customers.delete(customer)  # removed by hand on the dashboard
    with db.transaction() as s:
        s.get(User, citizen).stripe_customer_id = customer
    erasure.delete_account(core.db, core.outbox, citizen, DEMO_PASSWORD)
    core.outbox.flush()
    item = _item(db, customer)
    assert item.status == OutboxStatus.DONE and item.attempts == 1 and item.last_error is None
    core.outbox.close()
