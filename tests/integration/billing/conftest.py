"""Fixtures for billing: the demo district plus helpers to make finished trips and sessions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from billing.facade import Billing
from billing.gateway import GatewayResult, OfflineGateway
from mobility.app import Core, build_core
from mobility.demo import seed_demo
from mobility.models import Booking, Charger, ChargingTransaction, Company, Trip, User, Vehicle

START = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


class RecordingGateway(OfflineGateway):
    """The offline provider plus a ledger of what reached it (and an optional crash)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []
        self.crash_after_capture = False

    def authorize(self, **kw):  # type: ignore[no-untyped-def]
        self.calls.append(("authorize", kw["key"], kw["amount_minor"]))
        return super().authorize(**kw)

    def capture(self, **kw):  # type: ignore[no-untyped-def]
        self.calls.append(("capture", kw["key"], kw["amount_minor"]))
        result: GatewayResult = super().capture(**kw)
        if self.crash_after_capture:
            self.crash_after_capture = False
            raise ConnectionError("process died after the provider captured")
        return result

    def charge(self, **kw):  # type: ignore[no-untyped-def]
        self.calls.append(("charge", kw["key"], kw["amount_minor"]))
        return super().charge(**kw)

    def release(self, **kw):  # type: ignore[no-untyped-def]
        self.calls.append(("release", kw["key"], 0))
        return super().release(**kw)

    def refund(self, **kw):  # type: ignore[no-untyped-def]
        self.calls.append(("refund", kw["key"], kw["amount_minor"]))
        return super().refund(**kw)


@pytest.fixture
def gateway() -> RecordingGateway:
    return RecordingGateway()


@pytest.fixture
def core(settings, db, gateway) -> Core:
    built = build_core(settings, db=db, gateway=gateway)
    yield built
    built.outbox.close()


@pytest.fixture
def billing(core) -> Billing:
    return core.billing


@pytest.fixture
def demo(db):
    seed_demo(db)
    with db.sessions() as s:
        return {
            "citizen": s.scalar(select(User).where(User.email == "citizen@example.org")).id,
            "driver": s.scalar(select(User).where(User.email == "driver@example.org")).id,
            "company": s.scalar(select(Company)).id,
            "bike": s.scalar(select(Vehicle).where(Vehicle.code == "BIKE-101")).id,
            "car": s.scalar(select(Vehicle).where(Vehicle.code == "CAR-101")).id,
            "charger": s.scalar(select(Charger)).id,
        }


def make_booking(s, billing, user_id, vehicle_id, minutes=30, company_id=None) -> Booking:
    vehicle = s.get(Vehicle, vehicle_id)
    end = START + timedelta(minutes=minutes)
    quote = billing.quote_booking(
        s, vehicle=vehicle, user_id=user_id, company_id=company_id, start_at=START, end_at=end
    )
    booking = Booking(
        user_id=user_id,
        vehicle_id=vehicle_id,
        company_id=company_id,
        start_at=START,
        end_at=end,
        block_end_at=end,
        quote_minor=quote.total_minor,
        currency=quote.currency,
    )
    s.add(booking)
    s.flush()
    return booking


def make_trip(s, booking: Booking, minutes: int, km: str = "3.0") -> Trip:
    trip = Trip(
        booking_id=booking.id,
        user_id=booking.user_id,
        vehicle_id=booking.vehicle_id,
        company_id=booking.company_id,
        started_at=START,
        ended_at=START + timedelta(minutes=minutes),
        start_soc_percent=90,
        end_soc_percent=80,
        start_odometer_km=Decimal("100"),
        end_odometer_km=Decimal("100") + Decimal(km),
        distance_km=Decimal(km),
        duration_s=minutes * 60,
        status="ended",
    )
    s.add(trip)
    s.flush()
    return trip


def make_session(s, charger_id, *, user_id=None, company_id=None, wh=10000) -> ChargingTransaction:
    tx = ChargingTransaction(
        charger_id=charger_id,
        connector_id=1,
        id_tag="TAG",
        user_id=user_id,
        company_id=company_id,
        meter_start_wh=1000,
        meter_stop_wh=1000 + wh,
        started_at=START,
        stopped_at=START + timedelta(hours=1),
        status="completed",
    )
    s.add(tx)
    s.flush()
    return tx
