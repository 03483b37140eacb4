"""A district day to read the dashboard against: a session, an invoice, a fault, a trip,
bookings and a smart-charging plan, at times chosen relative to now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from mobility.clock import utcnow
from mobility.demo import seed_smart_charging
from mobility.models import (
    Booking,
    Charger,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    EnergyPlan,
    EnergySeries,
    EnergySite,
    MeterValue,
    Trip,
    User,
    Vehicle,
    VehicleState,
)

ENERGY, POWER = "Energy.Active.Import.Register", "Power.Active.Import"


@dataclass(frozen=True)
class District:
    """What was seeded, to compute the expected figures from."""

    now: datetime
    first_hour: datetime  # the session's first hour (UTC, whole hour)
    yesterday: date
    yesterday_hours: float  # 23, 24 or 25
    fleet: int
    revenue_minor: int
    site_id: int
    other_site_id: int
    quarter: datetime  # the current quarter hour


def _local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tz)


def _session(s, charger: Charger, h0: datetime, user: User) -> ChargingTransaction:
    """Read at +10 min (2 kWh on the register), +50 min (5) and +80 min (9); 11 kW."""
    tx = ChargingTransaction(
        charger_id=charger.id,
        connector_id=1,
        id_tag="RFID-CONFLUENCE-0001",
        user_id=user.id,
        started_at=h0 + timedelta(minutes=5),
        stopped_at=h0 + timedelta(minutes=90),
        meter_start_wh=1000,
        meter_stop_wh=9000,
        status="completed",
    )
    s.add(tx)
    s.flush()
    for minutes, wh in ((10, 2000), (50, 5000), (80, 9000)):
        for measurand, value in ((ENERGY, wh), (POWER, 11000)):
            s.add(
                MeterValue(
                    charger_id=charger.id,
                    connector_id=1,
                    transaction_id=tx.id,
                    timestamp=h0 + timedelta(minutes=minutes),
                    measurand=measurand,
                    value=Decimal(value),
                )
            )
    return tx


def _fault(s, charger: Charger, yesterday: date, tz: ZoneInfo) -> None:
    """Every connector Available for a month, but one Faulted yesterday from 00:00 to 06:00."""
    s.execute(
        update(Connector)
        .where(Connector.connector_id > 0)
        .values(status="Available", status_at=utcnow() - timedelta(days=30))
    )
    for hour, status in ((0, "Faulted"), (6, "Available")):
        s.add(
            ConnectorStatusEvent(
                charger_id=charger.id,
                connector_id=1,
                status=status,
                timestamp=_local(yesterday, hour, tz),
            )
        )
    s.execute(
        update(Connector)
        .where(Connector.charger_id == charger.id, Connector.connector_id == 1)
        .values(status_at=_local(yesterday, 6, tz))
    )


def _bookings(s, user: User, car: Vehicle, yesterday: date, tz: ZoneInfo) -> None:
    """Yesterday a 10:00-16:00 booking ridden and one cancelled; today a no-show."""
    ridden_from, ridden_to = _local(yesterday, 10, tz), _local(yesterday, 16, tz)
    today = yesterday + timedelta(days=1)
    for start, end, status in (
        (ridden_from, ridden_to, "completed"),
        (_local(yesterday, 12, tz), _local(yesterday, 13, tz), "cancelled"),
        (_local(today, 0, tz) + timedelta(minutes=30), _local(today, 1, tz), "no_show"),
    ):
        s.add(
            Booking(
                user_id=user.id,
                vehicle_id=car.id,
                start_at=start,
                end_at=end,
                block_end_at=end,
                status=status,
            )
        )
    s.add(
        Trip(
            user_id=user.id,
            vehicle_id=car.id,
            status="ended",
            started_at=ridden_from,
            ended_at=ridden_to,
            start_soc_percent=90,
            start_odometer_km=Decimal(100),
        )
    )


def _plan(s, site_id: int, quarter: datetime) -> None:
    """A plan from this quarter (1.5 then 2.5 kW under a 15 kW limit, 4 then 5 kW of PV), and a
    stored 12 kW limit an hour ago."""
    body = {
        "start": quarter.isoformat(),
        "load_kw": [1.5, 2.5],
        "limit_kw": [15.0, 15.0],
        "pv_kw": [4.0, 5.0],
    }
    s.add(EnergyPlan(site_id=site_id, start=quarter, method="greedy", body=body))
    s.add(
        EnergySeries(
            site_id=site_id, kind="limit", slot_start=quarter - timedelta(hours=1), value=12
        )
    )


def seed_district(db, billing, tz: ZoneInfo) -> District:
    """Seed the district day on the demo district (seeded already)."""
    seed_smart_charging(db)
    now = utcnow()
    h0 = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    yesterday = now.astimezone(tz).date() - timedelta(days=1)
    quarter = now.replace(minute=now.minute // 15 * 15, second=0, microsecond=0)
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-001"))
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        car = s.scalar(select(Vehicle).where(Vehicle.code == "CAR-101"))
        tx = _session(s, charger, h0, user)
        invoice = billing.settle_charging(s, tx)
        billing.refund(s, invoice, 100, "slow start")
        _fault(
            s,
            s.scalar(select(Charger).where(Charger.charge_point_id == "CP-LYON-002")),
            yesterday,
            tz,
        )
        _bookings(s, user, car, yesterday, tz)
        site = s.scalar(select(EnergySite.id).where(EnergySite.hub_id == charger.hub_id))
        other = s.scalar(select(EnergySite.id).where(EnergySite.id != site))
        _plan(s, site, quarter)
        fleet = len(
            s.scalars(select(Vehicle.id).where(Vehicle.state != VehicleState.RETIRED)).all()
        )
        revenue = invoice.total_minor - 100
    # Timestamps, not wall clocks: a day with a DST change has 23 or 25 hours.
    length = _local(yesterday + timedelta(days=1), 0, tz).timestamp()
    length -= _local(yesterday, 0, tz).timestamp()
    return District(now, h0, yesterday, length / 3600, fleet, revenue, site, other, quarter)
