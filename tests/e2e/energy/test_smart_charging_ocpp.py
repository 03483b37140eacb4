"""The plan reaches real 1.6 chargers, they follow it, and the site stays under its limit."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ocpp.routing import on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action
from sqlalchemy import select

from energy.admin import SiteTerms, create_site, set_home_bay
from energy.service import SmartCharging
from mobility.models import (
    Booking,
    BookingStatus,
    ChargingProfileRecord,
    EnergyFlag,
    Hub,
    IdToken,
    User,
    Vehicle,
)
from tests.e2e.ocpp_server.conftest import Charger, connect

LIMIT_KW = 12  # two 11 kW connectors: uncontrolled they would draw 22


class SteeredCharger(Charger):
    """A charger that keeps the profiles it is sent and reports power that follows them."""

    refuse = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.profiles: dict[int, dict[str, Any]] = {}  # connector -> latest profile

    @on(Action.set_charging_profile)
    async def on_set_profile(self, connector_id: int, cs_charging_profiles: dict[str, Any]) -> Any:
        if self.refuse:
            return call_result.SetChargingProfile(status="Rejected")
        self.profiles[connector_id] = cs_charging_profiles
        return call_result.SetChargingProfile(status="Accepted")

    def limit_w(self, connector_id: int, at: datetime) -> float:
        """The limit in force now: the last period that has started (no profile: 11 kW)."""
        profile = self.profiles.get(connector_id)
        if profile is None:
            return 11000.0
        schedule = profile["charging_schedule"]
        start = datetime.fromisoformat(schedule["start_schedule"])
        offset = (at - start).total_seconds()
        limit = 11000.0
        for period in schedule["charging_schedule_period"]:
            if period["start_period"] <= offset:
                limit = float(period["limit"])
        return min(limit, 11000.0)


def _setup(db: Any) -> tuple[int, dict[str, int]]:
    """Hub 1's two e-cars parked on CP-LYON-001's connectors, each with its own card."""
    with db.transaction() as s:
        hub = s.scalars(select(Hub).order_by(Hub.id)).first()
        cars = list(
            s.scalars(
                select(Vehicle)
                .where(Vehicle.hub_id == hub.id, Vehicle.kind == "ecar")
                .order_by(Vehicle.id)
            )
        )
        user = s.scalar(select(User).where(User.email == "citizen@example.org"))
        now = datetime.now(UTC)
        for n, car in enumerate(cars):
            car.soc_percent = 30
            s.add(IdToken(id_tag=f"CARD-{car.code}", vehicle_id=car.id, label=car.code))
            s.add(
                Booking(
                    user_id=user.id,
                    vehicle_id=car.id,
                    hub_id=hub.id,
                    start_at=now + timedelta(hours=3 + n),
                    end_at=now + timedelta(hours=5 + n),
                    block_end_at=now + timedelta(hours=5 + n),
                    status=BookingStatus.CONFIRMED,
                    expected_distance_km=Decimal(150),
                )
            )
        hub_id, codes = hub.id, {car.code: car.id for car in cars}
    site_id = create_site(db, hub_id, SiteTerms(grid_limit_kw=Decimal(LIMIT_KW)))
    for n, vehicle_id in enumerate(codes.values(), start=1):
        set_home_bay(db, vehicle_id, "CP-LYON-001", n, Decimal(11))
    return site_id, codes


async def _start(cp: SteeredCharger, codes: dict[str, int]) -> dict[int, int]:
    await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
    ids = {}
    for n, code in enumerate(codes, start=1):
        started = await cp.call(
            call.StartTransaction(
                connector_id=n,
                id_tag=f"CARD-{code}",
                meter_start=0,
                timestamp=datetime.now(UTC).isoformat(),
            )
        )
        ids[n] = started.transaction_id
    return ids


async def _report(cp: SteeredCharger, ids: dict[int, int], at: datetime) -> float:
    """Each connector reports the power its profile allows; returns the site's total kW."""
    total = 0.0
    for connector, tx in ids.items():
        watts = cp.limit_w(connector, at)
        total += watts / 1000
        await cp.call(
            call.MeterValues(
                connector_id=connector,
                transaction_id=tx,
                meter_value=[
                    {
                        "timestamp": at.isoformat(),
                        "sampledValue": [
                            {
                                "value": str(int(watts)),
                                "measurand": "Power.Active.Import",
                                "unit": "W",
                            }
                        ],
                    }
                ],
            )
        )
    return total


async def test_plan_becomes_tx_profiles_the_chargers_follow_under_the_limit(server, db):
    site_id, codes = _setup(db)
    service = SmartCharging(db, server.bus, command_timeout=5)
    async with connect(server, cls=SteeredCharger) as cp:
        ids = await _start(cp, codes)
        await server.flush_reports()
        await server.presence.flush()
        run = await asyncio.to_thread(service.run_site, site_id)
        assert run.plan_id is not None
        assert sorted(run.steering.sent) == ["CP-LYON-001/1", "CP-LYON-001/2"]
        plan = service.latest_plan(site_id)
        assert plan is not None and len(plan["bookings"]) == 2
        assert not any(b["short"] for b in plan["bookings"])  # both trips charged in time
        # Each running session got a TxProfile naming its transaction.
        for connector, tx in ids.items():
            profile = cp.profiles[connector]
            assert profile["charging_profile_purpose"] == "TxProfile"
            assert profile["transaction_id"] == tx
        # Whatever the time of day, the two schedules together stay under the site's limit.
        start = datetime.now(UTC)
        for minutes in range(0, 24 * 60, 15):
            at = start + timedelta(minutes=minutes)
            assert cp.limit_w(1, at) + cp.limit_w(2, at) <= LIMIT_KW * 1000 + 1e-6
        # The chargers follow: measured site power never above the limit.
        assert await _report(cp, ids, start) <= LIMIT_KW + 1e-6
        # Nothing changed: nothing is sent again.
        again = await asyncio.to_thread(service.steer, site_id)
        assert again.sent == [] and sorted(again.unchanged) == sorted(run.steering.sent)
    with db.sessions() as s:
        records = list(s.scalars(select(ChargingProfileRecord).order_by(ChargingProfileRecord.id)))
    assert {r.purpose for r in records} >= {"TxProfile"}
    assert all(r.status == "accepted" and r.digest for r in records if r.purpose == "TxProfile")


async def test_reconnected_charger_gets_its_profiles_again_and_ended_sessions_drop_them(server, db):
    site_id, codes = _setup(db)
    service = SmartCharging(db, server.bus, command_timeout=5)
    async with connect(server, cls=SteeredCharger) as cp:
        ids = await _start(cp, codes)
        await server.flush_reports()
        await server.presence.flush()
        await asyncio.to_thread(service.run_site, site_id)
    await server.presence.flush()
    async with connect(server, cls=SteeredCharger) as cp:
        await cp.call(call.BootNotification(charge_point_vendor="Alfen", charge_point_model="Eve"))
        await server.presence.flush()
        steering = await asyncio.to_thread(service.steer, site_id)
        assert sorted(steering.sent) == ["CP-LYON-001/1", "CP-LYON-001/2"]
        assert set(cp.profiles) == {1, 2}
        await cp.call(
            call.StopTransaction(
                transaction_id=ids[1], meter_stop=5000, timestamp=datetime.now(UTC).isoformat()
            )
        )
    with db.sessions() as s:
        ended = s.scalars(
            select(ChargingProfileRecord).where(
                ChargingProfileRecord.transaction_ref == str(ids[1])
            )
        ).all()
    assert ended and all(r.cleared_at is not None for r in ended)


async def test_a_charger_refusing_profiles_is_flagged_and_planned_at_its_worst_case(server, db):
    site_id, codes = _setup(db)
    service = SmartCharging(db, server.bus, command_timeout=5)
    async with connect(server, cls=SteeredCharger) as cp:
        cp.refuse = True
        await _start(cp, codes)
        await server.flush_reports()
        await server.presence.flush()
        run = await asyncio.to_thread(service.run_site, site_id)
        assert sorted(run.steering.refused) == ["CP-LYON-001/1", "CP-LYON-001/2"]
        replanned = await asyncio.to_thread(service.run_site, site_id)
        assert replanned.plan_id is not None  # the refusal asked for a new plan
        assert replanned.steering.sent == []  # nothing left to steer on this charger
    with db.sessions() as s:
        flags = s.scalars(select(EnergyFlag).where(EnergyFlag.resolved_at.is_(None))).all()
    assert {f.subject for f in flags if f.kind == "profile_rejected"} == {
        "connector:CP-LYON-001/1",
        "connector:CP-LYON-001/2",
    }


async def test_a_session_drawing_above_its_profile_is_flagged_and_no_longer_steered(server, db):
    site_id, codes = _setup(db)
    service = SmartCharging(db, server.bus, command_timeout=5)
    async with connect(server, cls=SteeredCharger) as cp:
        ids = await _start(cp, codes)
        await server.flush_reports()
        await server.presence.flush()
        await asyncio.to_thread(service.run_site, site_id)
        with db.transaction() as s:  # the profiles have been in force for a while
            for record in s.scalars(select(ChargingProfileRecord)):
                record.created_at -= timedelta(minutes=5)
        now = datetime.now(UTC)
        for at in (now - timedelta(seconds=30), now):
            watts = cp.limit_w(1, at) * 1.5 + 1000  # connector 1 ignores its limit
            await cp.call(
                call.MeterValues(
                    connector_id=1,
                    transaction_id=ids[1],
                    meter_value=[
                        {
                            "timestamp": at.isoformat(),
                            "sampledValue": [
                                {"value": str(int(watts)), "measurand": "Power.Active.Import"}
                            ],
                        }
                    ],
                )
            )
        await server.flush_reports()
        steering = await asyncio.to_thread(service.steer, site_id)
        assert "CP-LYON-001/1" not in steering.sent + steering.unchanged
        run = await asyncio.to_thread(service.run_site, site_id)
        assert run.plan_id is not None  # planned again, connector 1 at its worst case
        plan = service.latest_plan(site_id)
        assert [c["id"] for c in plan["connectors"]] == ["CP-LYON-001/2"]
        # connector 2 now shares what the unsteered connector 1 (11 kW) leaves of the 12 kW
        assert all(kw <= LIMIT_KW - 11 + 1e-6 for kw in plan["load_kw"])
    with db.sessions() as s:
        flags = s.scalars(select(EnergyFlag).where(EnergyFlag.kind == "not_followed")).all()
    assert [f.subject for f in flags] == ["connector:CP-LYON-001/1"]
