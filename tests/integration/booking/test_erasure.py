"""Erasing an account on a real database: the provider's customer is deleted after commit."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from billing.customers import CUSTOMER_DELETION, deletion_key
from billing.gateway import OfflineGateway
from booking import erasure
from mobility.app import build_core
from mobility.clock import utcnow
from mobility.db import Database
from mobility.demo import DEMO_PASSWORD, seed_demo
from mobility.errors import NotFound
from mobility.models import OutboxItem, OutboxStatus, User


class CustomerLedger(OfflineGateway):
    """The offline provider, noting each customer deletion and whether the erasure had committed."""

    name = "ledger"  # not "offline": card setups are allowed

    def __init__(self, db: Database, failures: int = 0) -> None:
        self.db = db
        self.failures = failures
        self.deleted: list[tuple[str, bool]] = []

    def delete_customer(self, *, customer: str) -> None:
        with self.db.sessions() as s:  # another connection: sees only committed data
            erased = s.scalar(select(User.id).where(User.deleted_at.is_not(None))) is not None
        self.deleted.append((customer, erased))
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the provider is unreachable")


@pytest.fixture
def citizen(db) -> int:
    seed_demo(db)
    with db.transaction() as s:
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        user.stripe_customer_id = "cus_citizen"
        return user.id


def _item(db, customer: str) -> OutboxItem | None:
    with db.sessions() as s:
        return s.scalar(select(OutboxItem).where(OutboxItem.key == deletion_key(customer)))


def test_the_customer_is_deleted_at_the_provider_once_the_erasure_committed(db, settings, citizen):
    ledger = CustomerLedger(db)
    core = build_core(settings, db=db, gateway=ledger)
    erasure.delete_account(core.db, core.outbox, citizen, DEMO_PASSWORD)
    core.outbox.flush()
    assert ledger.deleted == [("cus_citizen", True)]
    item = _item(db, "cus_citizen")
    assert item.kind == CUSTOMER_DELETION and item.status == OutboxStatus.DONE
    with db.sessions() as s:
        assert s.get(User, citizen).stripe_customer_id is None
    assert core.outbox.run_due() == 0  # done once, never again
    core.outbox.close()


def test_a_provider_outage_leaves_the_deletion_to_the_retry_job(db, settings, citizen):
    ledger = CustomerLedger(db, failures=1)
    core = build_core(settings, db=db, gateway=ledger)
    erasure.delete_account(core.db, core.outbox, citizen, DEMO_PASSWORD)
    core.outbox.flush()
    item = _item(db, "cus_citizen")
    assert item.status == OutboxStatus.PENDING and "unreachable" in item.last_error
    with db.sessions() as s:  # the account is erased all the same
        assert s.get(User, citizen).deleted_at is not None
    with db.transaction() as s:  # the backoff has passed
        s.execute(update(OutboxItem).values(next_attempt_at=utcnow()))
    assert core.outbox.run_due() == 1
    assert ledger.deleted == [("cus_citizen", True), ("cus_citizen", True)]
    assert _item(db, "cus_citizen").status == OutboxStatus.DONE
    core.outbox.close()


def test_an_account_without_a_customer_asks_nothing_of_the_provider(db, settings, citizen):
    with db.transaction() as s:
        s.get(User, citizen).stripe_customer_id = None
    ledger = CustomerLedger(db)
    core = build_core(settings, db=db, gateway=ledger)
    erasure.delete_account(core.db, core.outbox, citizen, DEMO_PASSWORD)
    core.outbox.flush()
    assert ledger.deleted == []
    with db.sessions() as s:
        kinds = s.scalars(select(OutboxItem.kind)).all()
    assert CUSTOMER_DELETION not in kinds
    core.outbox.close()


class ErasedMidway(CustomerLedger):
    """A provider that makes the customer while the account is being erased."""

    core: object

    def ensure_customer(self, *, existing: str | None, email: str, name: str, key: str) -> str:
        user_id = int(key.rsplit(":", 1)[1])
        erasure.delete_account(self.db, self.core.outbox, user_id, DEMO_PASSWORD)  # type: ignore[attr-defined]
        return "cus_late"


def test_a_customer_made_while_the_account_was_erased_is_deleted_too(db, settings, citizen):
    with db.transaction() as s:
        s.get(User, citizen).stripe_customer_id = None
    provider = ErasedMidway(db)
    core = build_core(settings, db=db, gateway=provider)
    provider.core = core
    with pytest.raises(NotFound):
        core.billing.start_card_setup(citizen)
    core.outbox.flush()
    with db.sessions() as s:
        assert s.get(User, citizen).stripe_customer_id is None
    assert provider.deleted == [("cus_late", True)]
    assert _item(db, "cus_late").status == OutboxStatus.DONE
    core.outbox.close()
