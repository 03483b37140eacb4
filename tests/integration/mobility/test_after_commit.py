"""Side effects run after commit: a payment provider that hangs never holds up anyone else.

The gateway blocks (up to 5 s) inside one provider call; meanwhile other users' bookings and
other chargers' transactions must complete. The assertions are on the order in which things
finish, never on wall time: had the slow call run inside a transaction holding locks, the
others would have finished after it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from billing.gateway import GatewayResult, OfflineGateway
from mobility.app import Core, build_core
from mobility.clock import utcnow
from mobility.demo import seed_demo
from mobility.models import IdToken, Invoice, Payment, User, Vehicle
from ocpp_server.events import TransactionEnded, TransactionStarted


class BlockingGateway(OfflineGateway):
    """The offline provider, except that the first call of `blocked` hangs until released."""

    def __init__(self, blocked: str) -> None:
        self.blocked = blocked
        self.entered = threading.Event()
        self.release = threading.Event()
        self._first = True

    def _maybe_block(self, op: str) -> None:
        if op == self.blocked and self._first:
            self._first = False
            self.entered.set()
            self.release.wait(5)

    def authorize(self, **kw: Any) -> GatewayResult:
        self._maybe_block("authorize")
        return super().authorize(**kw)

    def charge(self, **kw: Any) -> GatewayResult:
        self._maybe_block("charge")
        return super().charge(**kw)


def _core(settings: Any, db: Any, blocked: str) -> tuple[Core, BlockingGateway]:
    gateway = BlockingGateway(blocked)
    seed_demo(db)
    return build_core(settings, db=db, gateway=gateway), gateway


def _in_thread(order: list[str], name: str, fn: Callable[[], Any]) -> threading.Thread:
    def run() -> None:
        fn()
        order.append(name)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _ids(db: Any) -> dict[str, int]:
    with db.sessions() as s:
        return {
            "citizen": s.scalar(select(User.id).where(User.email == "citizen@example.org")),
            "fleet": s.scalar(select(User.id).where(User.email == "fleet-admin@example.org")),
            "bike": s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-101")),
            "bike2": s.scalar(select(Vehicle.id).where(Vehicle.code == "BIKE-102")),
        }


def _start(core: Core, cp_id: str, tag: str) -> str:
    started = utcnow() - timedelta(hours=2)
    event = TransactionStarted(connector_id=1, id_token=tag, meter_start_wh=0, timestamp=started)
    return core.charging.start_transaction(cp_id, event).transaction_ref


def test_a_hanging_hold_delays_no_other_booking_and_no_charger(db, settings):
    core, gateway = _core(settings, db, "authorize")
    ids, order = _ids(db), []
    start = utcnow() + timedelta(hours=2)
    end = start + timedelta(hours=1)
    slow = _in_thread(
        order, "slow booking", lambda: core.bookings.create(ids["citizen"], ids["bike"], start, end)
    )
    assert gateway.entered.wait(5)  # the first booking is committed and inside the provider
    core.bookings.create(ids["fleet"], ids["bike2"], start, end)
    order.append("other booking")
    _start(core, "CP-LYON-002", "RFID-CONFLUENCE-0001")
    order.append("charger start")
    gateway.release.set()
    slow.join(10)
    assert order == ["other booking", "charger start", "slow booking"]
    with db.sessions() as s:
        holds = s.scalars(select(Payment).where(Payment.kind == "hold")).all()
        assert sorted(p.status for p in holds) == ["requires_capture", "requires_capture"]
    core.outbox.close()


def test_stop_transaction_is_answered_while_the_card_charge_hangs(db, settings):
    core, gateway = _core(settings, db, "charge")
    ids, order = _ids(db), []
    with db.transaction() as s:
        s.add(IdToken(id_tag="CITIZEN-CARD-1", user_id=ids["citizen"]))
    ref = _start(core, "CP-LYON-001", "CITIZEN-CARD-1")
    ended = TransactionEnded(
        ref, meter_stop_wh=12000, timestamp=utcnow(), id_token="CITIZEN-CARD-1"
    )
    auth = core.charging.end_transaction("CP-LYON-001", ended)
    order.append("stop answered")
    assert auth is not None and auth.status == "Accepted"
    assert gateway.entered.wait(5)  # the charge runs on the outbox's worker, after commit
    other = _start(core, "CP-LYON-002", "RFID-CONFLUENCE-0001")
    order.append("other charger start")
    assert order == ["stop answered", "other charger start"] and other
    with db.sessions() as s:
        invoice = s.scalar(select(Invoice).where(Invoice.charging_transaction_id.is_not(None)))
        assert invoice.status == "open"  # invoiced, money not taken yet
    gateway.release.set()
    core.outbox.flush(10)
    with db.sessions() as s:
        assert s.get(Invoice, invoice.id).status == "paid"
    core.outbox.close()


@pytest.fixture(autouse=True)
def _no_leftover_threads() -> Any:
    # Only this test's workers: an earlier test's outbox may not be collected yet.
    before = set(threading.enumerate())
    yield
    assert not [t for t in set(threading.enumerate()) - before if t.name.startswith("outbox")]
