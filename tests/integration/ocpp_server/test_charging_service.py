"""The version-neutral charging core on the real database (no websockets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select, update

from mobility.app import build_core
from mobility.demo import seed_demo
from mobility.models import ChargingTransaction, IdToken, Invoice, MeterValue, Tariff, User
from ocpp_server.events import MeterReport, MeterSample, TransactionEnded, TransactionStarted
from ocpp_server.reports import write_batch
from ocpp_server.rules import ENERGY_REGISTER, POWER

T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)


@pytest.fixture
def charging(db, settings) -> Any:
    seed_demo(db)
    core = build_core(settings, db=db)
    with db.transaction() as s:
        citizen = s.scalar(select(User).where(User.email == "citizen@example.org"))
        s.add(IdToken(id_tag="CITIZEN-CARD-1", user_id=citizen.id))
    yield core.charging
    core.outbox.flush(10)
    core.outbox.close()


def _start(charging: Any, cp: str = "CP-LYON-001", at: datetime = T0) -> str:
    event = TransactionStarted(1, "CITIZEN-CARD-1", 1000, at)
    return str(charging.start_transaction(cp, event).transaction_ref)


def _count(db: Any, model: Any, *where: Any) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)))


def test_start_is_idempotent_and_the_1_6_id_is_the_row_id(db, charging):
    ref = _start(charging)
    assert _start(charging) == ref  # a replayed start answers the same transaction
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert tx.transaction_ref == str(tx.id) and tx.auth_status == "Accepted"


def test_end_bills_once_and_replays_change_nothing(db, charging):
    ref = _start(charging)
    end = TransactionEnded(ref, 11000, T0 + timedelta(hours=1), id_token="CITIZEN-CARD-1")
    assert charging.end_transaction("CP-LYON-001", end).status == "Accepted"
    charging.end_transaction("CP-LYON-001", end)
    assert _count(db, Invoice) == 1
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert tx.energy_wh == 10000 and tx.billed and tx.status == "completed"


def test_unknown_and_foreign_ids_make_one_orphan_each_and_stop_nobody(db, charging):
    mine = _start(charging, "CP-LYON-002")
    stray = TransactionEnded(mine, 5000, T0 + timedelta(hours=1))  # sent by another charger
    for _ in range(3):
        charging.end_transaction("CP-LYON-001", stray)
    assert _count(db, ChargingTransaction, ChargingTransaction.orphan) == 1
    with db.sessions() as s:
        real = s.scalar(
            select(ChargingTransaction).where(ChargingTransaction.transaction_ref == mine)
        )
        assert real.status == "active"


def test_meter_samples_are_normalised_and_idle_time_starts_at_the_last_drop(db, charging):
    ref = _start(charging)
    kw = [(0, 7), (20, 0), (30, 7), (50, 0)]  # a pause at 20 min, charging again, full at 50
    samples = tuple(
        MeterSample(T0 + timedelta(minutes=m), POWER, Decimal(p * 1000), "W") for m, p in kw
    )
    energy = MeterSample(T0 + timedelta(minutes=50), ENERGY_REGISTER, Decimal("8500"), "Wh")
    write_batch(db, [("CP-LYON-001", MeterReport(1, (*samples, energy), ref))])
    end = TransactionEnded(ref, 8500, T0 + timedelta(hours=2))
    charging.end_transaction("CP-LYON-001", end)
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert tx.charging_ended_at == T0 + timedelta(minutes=50)
        values = s.scalars(select(MeterValue).where(MeterValue.transaction_id == tx.id)).all()
        assert {v.unit for v in values} == {"W", "Wh"} and len(values) == 5


@pytest.mark.parametrize(
    ("stop_wh", "hours", "why"),
    [
        (400, 1, "below the start"),  # meter reset
        (60_000, 1, "more than a 11000 W connector"),  # kWh sent labelled as Wh
    ],
)
def test_implausible_readings_are_held_for_review_not_invoiced(db, charging, stop_wh, hours, why):
    ref = _start(charging)
    charging.end_transaction(
        "CP-LYON-001", TransactionEnded(ref, stop_wh, T0 + timedelta(hours=hours))
    )
    charging.settle_unbilled()
    with db.sessions() as s:
        tx = s.scalar(select(ChargingTransaction))
        assert why in tx.review_reason and not tx.billed
    assert _count(db, Invoice) == 0


def test_a_session_that_costs_nothing_uses_no_invoice_number(db, charging):
    with db.transaction() as s:
        s.execute(update(Tariff).where(Tariff.scope == "charging").values(elements=FREE))
    ref = _start(charging)
    charging.end_transaction("CP-LYON-001", TransactionEnded(ref, 1000, T0 + timedelta(minutes=5)))
    assert _count(db, Invoice) == 0
    with db.sessions() as s:
        assert s.scalar(select(ChargingTransaction)).billed


FREE = [{"price_components": [{"type": "ENERGY", "price": "0.00", "vat": "20", "step_size": 1}]}]


def test_a_pause_while_charging_is_not_billed_as_parking(db, charging):
    """Smart charging paused the car for an hour, then it charged again and left at once."""
    ref = _start(charging)
    powers = [(0, 7400), (30, 0), (90, 7400), (150, 7400)]
    samples = tuple(
        MeterSample(T0 + timedelta(minutes=m), POWER, Decimal(w), "W") for m, w in powers
    )
    registers = [(0, 1000), (30, 4700), (90, 4700), (150, 12100)]
    samples += tuple(
        MeterSample(T0 + timedelta(minutes=m), ENERGY_REGISTER, Decimal(wh), "Wh")
        for m, wh in registers
    )
    write_batch(db, [("CP-LYON-001", MeterReport(1, samples, ref))])
    end = TransactionEnded(ref, 12100, T0 + timedelta(minutes=150), id_token="CITIZEN-CARD-1")
    charging.end_transaction("CP-LYON-001", end)
    with db.sessions() as s:
        invoice = s.scalar(select(Invoice))
        # 11.1 kWh x 0.35 = 3.885 -> 3.89 net; no PARKING_TIME line for the pause (6.00/h).
        assert [ln.component for ln in invoice.lines] == ["ENERGY"]
        assert invoice.total_excl_vat_minor == 389


def test_reservations_past_their_expiry_free_the_connector(db, charging):
    from mobility.models import Reservation
    from ocpp_server import commands

    past = datetime.now(UTC) - timedelta(minutes=1)
    later = datetime.now(UTC) + timedelta(minutes=30)
    gone = commands.create_reservation(db, "CP-LYON-001", 1, "CITIZEN-CARD-1", past)
    kept = commands.create_reservation(db, "CP-LYON-001", 2, "CITIZEN-CARD-1", later)
    assert charging.expire_reservations() == 1
    assert charging.expire_reservations() == 0  # safe to run twice
    with db.sessions() as s:
        assert s.get(Reservation, gone).status == "expired"
        assert s.get(Reservation, kept).status == "requested"
