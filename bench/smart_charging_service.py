"""Benchmark: smart charging at run time on a real database, one hub after an event.

A hub with 20 connectors (10 chargers x 2), 16 e-cars on their bays with 48 bookings over the
next day, 4 public sessions. Measures, side by side in one run:
  - re-planning the hub as the job does after an event: read it from the database, plan it,
    store the plan and its flags (goal: <= 100 ms);
  - the planner alone on the same inputs (what bench/smart_charging.py measures);
  - the charge check a booking runs before it is confirmed (read + plan twice).

Run: .venv/bin/python bench/smart_charging_service.py [--runs 30]
     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_pg

CHARGERS, CARS, BOOKINGS_PER_CAR, PUBLIC = 10, 16, 3, 4


def _seed(db: Any) -> tuple[int, list[int]]:
    """The hub, its chargers, e-cars on their bays with bookings, public sessions, the site."""
    from mobility.models import EnergySite, Hub, User

    rng = random.Random(7)
    now = datetime.now(UTC)
    with db.transaction() as s:
        hub = Hub(
            slug="bench", name="Bench hub", latitude=Decimal("45.74"), longitude=Decimal("4.82")
        )
        user = User(email="bench@example.org", password_hash="x", full_name="Bench")
        s.add_all([hub, user])
        s.flush()
        bays = _chargers(s, hub.id)
        cars = _cars(s, hub.id, bays, rng)
        _bookings(s, hub.id, user.id, cars, now, rng)
        _public_sessions(s, bays[CARS:], now)
        site = EnergySite(hub_id=hub.id, grid_limit_kw=Decimal(60), pv_peak_kwp=Decimal(40))
        s.add(site)
        s.flush()
        return site.id, [c.id for c in cars]


def _chargers(s: Any, hub_id: int) -> list[Any]:
    from mobility.models import Charger, Connector

    bays = []
    for c in range(CHARGERS):
        charger = Charger(charge_point_id=f"B-{c:02d}", hub_id=hub_id, max_power_w=22000)
        s.add(charger)
        s.flush()
        for n in (1, 2):
            bays.append(Connector(charger_id=charger.id, connector_id=n, max_power_w=11000))
    s.add_all(bays)
    s.flush()
    return bays


def _cars(s: Any, hub_id: int, bays: list[Any], rng: random.Random) -> list[Any]:
    from mobility.models import Vehicle

    cars = [
        Vehicle(
            code=f"BC-{i}",
            kind="ecar",
            hub_id=hub_id,
            battery_kwh=Decimal(50),
            max_range_km=330,
            soc_percent=rng.randint(15, 70),
            home_connector_id=bays[i].id,
            max_charge_kw=Decimal(11),
        )
        for i in range(CARS)
    ]
    s.add_all(cars)
    s.flush()
    return cars


def _bookings(
    s: Any, hub_id: int, user_id: int, cars: list[Any], now: datetime, rng: random.Random
) -> None:
    from mobility.models import Booking

    for car in cars:
        start = now + timedelta(hours=rng.uniform(1, 4))
        for _ in range(BOOKINGS_PER_CAR):
            end = start + timedelta(hours=rng.uniform(1, 3))
            s.add(
                Booking(
                    user_id=user_id,
                    vehicle_id=car.id,
                    hub_id=hub_id,
                    start_at=start,
                    end_at=end,
                    block_end_at=end,
                    status="confirmed",
                    expected_distance_km=Decimal(rng.randint(20, 150)),
                )
            )
            start = end + timedelta(hours=rng.uniform(1, 3))


def _public_sessions(s: Any, bays: list[Any], now: datetime) -> None:
    from mobility.models import ChargingTransaction

    for k, bay in enumerate(bays[:PUBLIC]):
        s.add(
            ChargingTransaction(
                charger_id=bay.charger_id,
                connector_id=bay.connector_id,
                transaction_ref=str(k + 1),
                id_tag=f"PUB-{k}",
                started_at=now - timedelta(minutes=20),
            )
        )


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return f"median {statistics.median(samples) * 1000:6.1f} ms  p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    from energy.inputs import read_site
    from energy.outlook import PlanOutlook
    from energy.planner import plan_site
    from energy.service import SmartCharging
    from mobility import migrations
    from mobility.bus import InProcessBus
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.models import EnergySite

    if args.postgres:
        url = fresh_pg(args.postgres, "bench_energy")
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    db = Database(load_settings({}, database_url=url, secret_key="bench"))
    migrations.upgrade(db.engine)
    site_id, cars = _seed(db)
    service, outlook = SmartCharging(db, InProcessBus()), PlanOutlook(db)
    service.run_site(site_id, force=True)  # warm up: imports, solver, statement caches
    replans, planner, checks = [], [], []
    for i in range(args.runs):
        t = time.perf_counter()
        service.run_site(site_id, force=True)
        replans.append(time.perf_counter() - t)
        with db.sessions() as s:
            inputs = read_site(s, s.get(EnergySite, site_id), datetime.now(UTC), 96)
        t = time.perf_counter()
        plan_site(inputs.problem, str(site_id))
        planner.append(time.perf_counter() - t)
        start = datetime.now(UTC) + timedelta(hours=20 + i % 3)
        t = time.perf_counter()
        outlook.check_trip(cars[i % len(cars)], start, start + timedelta(hours=2), 80.0, None)
        checks.append(time.perf_counter() - t)
    kind = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"one hub, {CHARGERS * 2} connectors, {CARS} cars, {CARS * BOOKINGS_PER_CAR} bookings, "
        f"{PUBLIC} public sessions, {kind}, {args.runs} runs"
    )
    print(f"  re-plan after an event (read + plan + store): {_ms(replans)}   goal <= 100 ms")
    print(f"  planner alone on the same inputs:             {_ms(planner)}")
    print(f"  booking charge check (read + plan twice):     {_ms(checks)}")
    ratio = statistics.median(replans) / statistics.median(planner)
    print(f"  run time / planner alone: {ratio:.2f}x")


if __name__ == "__main__":
    main()
