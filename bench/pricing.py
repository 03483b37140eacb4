"""Benchmark: price N trips/charging sessions with the pure engine, then invoice M fleet members.

Run: .venv/bin/python bench/pricing.py [--trips 1000000] [--members 10000] [--database-url URL]
Prints pricing throughput against the 100,000 sessions/s goal (the demo tariffs, one third each
of e-bike, e-car and charging sessions; building each session's periods is timed, the random
inputs are made untimed, 10,000 at a time), the same for a time-of-day OCPI tariff on metered
charging sessions (the engine's general path), and the monthly consolidated invoice (SQLite by
default).
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.fleet_invoices import consolidate, month_bounds
from billing.invoices import issue
from billing.pricing import (
    charging_periods,
    charging_periods_from_samples,
    price_session,
    rental_periods,
)
from billing.tariffs import tariff_spec
from mobility import migrations
from mobility.config import load_settings
from mobility.db import Database
from mobility.demo import TARIFFS
from mobility.models import Company, InvoiceKind, User

TZ = ZoneInfo("Europe/Paris")


GOAL = 100_000  # sessions per second

# A time-of-day tariff with a power tier and parking: every session goes through period cutting.
TOD_ELEMENTS: list[dict[str, Any]] = [
    {"price_components": [{"type": "FLAT", "price": "0.50", "step_size": 1}]},
    {
        "price_components": [{"type": "ENERGY", "price": "0.45", "step_size": 1}],
        "restrictions": {"start_time": "17:00", "end_time": "21:00"},
    },
    {
        "price_components": [{"type": "ENERGY", "price": "0.39", "step_size": 1}],
        "restrictions": {"min_power": 22},
    },
    {"price_components": [{"type": "ENERGY", "price": "0.30", "step_size": 1}]},
    {"price_components": [{"type": "PARKING_TIME", "price": "6.00", "step_size": 60}]},
]


def _freeze() -> None:
    """Keep the generated inputs out of the cyclic GC's scans."""
    # A server holds one session at a time, not a million: without this the figure falls as N
    # grows, whatever the engine does.
    gc.collect()
    gc.freeze()


def bench_pricing(n: int) -> tuple[float, float, int]:
    """Price n sessions (e-bike, e-car, charging); returns wall and CPU seconds, a checksum."""
    specs = [
        tariff_spec(t["code"], "EUR", t["elements"], daily_cap=t.get("daily_cap_excl_vat"))
        for t in TARIFFS
    ]
    rng = random.Random(42)
    total = 0
    wall = cpu = 0.0
    for first in range(0, n, _CHUNK):
        jobs = _rental_jobs(rng, first, min(n, first + _CHUNK))
        t0, c0 = time.perf_counter(), time.process_time()
        for kind, start, end, quantity in jobs:
            if kind == 2:
                periods = charging_periods(start, end, quantity, None)
            else:
                periods = rental_periods(start, end, quantity)
            total += price_session(specs[kind], periods, TZ).total_minor
        wall += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return wall, cpu, total


_CHUNK = 10_000  # inputs are made (untimed) and priced in chunks: a small, cache-warm working set


def _rental_jobs(rng: random.Random, first: int, stop: int) -> list[tuple[Any, ...]]:
    """Random sessions first..stop-1: (kind, start, end, km or Wh)."""
    base = datetime(2026, 11, 1, tzinfo=UTC)
    jobs = []
    for i in range(first, stop):
        start = base + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        minutes = rng.randrange(3, 600)
        amount = rng.randrange(0, 800)
        quantity = Decimal(amount * 50) if i % 3 == 2 else Decimal(amount) / 10
        jobs.append((i % 3, start, start + timedelta(minutes=minutes), quantity))
    return jobs


def bench_metered(n: int) -> tuple[float, int]:
    """Price n charging sessions from 5-minute meter samples under TOD_ELEMENTS."""
    spec = tariff_spec("TOD", "EUR", TOD_ELEMENTS)
    rng = random.Random(7)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    jobs = []
    for _ in range(n):
        start = base + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        samples, register = [], Decimal(0)
        for k in range(rng.randrange(6, 36)):  # 30 min to 3 h of samples
            power = Decimal(rng.choice((0, 7400, 11000, 22000, 50000)))
            samples.append((start + timedelta(minutes=5 * k), register, power, None))
            register += power / 12  # Wh in 5 minutes
        stop = start + timedelta(minutes=5 * len(samples))
        jobs.append((start, stop, samples, register))
    _freeze()
    total = 0
    t0 = time.perf_counter()
    for start, stop, samples, register in jobs:
        periods = charging_periods_from_samples(start, stop, samples, Decimal(0), register)
        total += price_session(spec, periods, TZ).total_minor
    return time.perf_counter() - t0, total


def bench_invoicing(url: str, members: int) -> tuple[float, float, int]:
    """Issue one trip invoice per member, then one consolidated monthly invoice."""
    db = Database(load_settings({}, database_url=url))
    migrations.upgrade(db.engine)
    from billing.pricing import PriceLine

    line = PriceLine("Time", "TIME", Decimal("0.5"), "h", Decimal("18"), 900, Decimal(20), 180)
    with db.transaction() as s:
        company = Company(name="Bench Corp", contact_email="b@bench.example", vat_id=None)
        s.add(company)
        s.flush()
        users = [User(email=f"m{i}@bench.example", password_hash="x") for i in range(members)]
        s.add_all(users)
        s.flush()
        cid, uids = company.id, [u.id for u in users]
    now = datetime.now(TZ)
    t0 = time.perf_counter()
    with db.transaction() as s:
        for uid in uids:
            issue(
                s,
                kind=InvoiceKind.TRIP,
                currency="EUR",
                lines=[line],
                bill_to={"name": "m"},
                user_id=uid,
                company_id=cid,
            )
    issued = time.perf_counter() - t0
    start, end = month_bounds(now.year, now.month, TZ)
    t0 = time.perf_counter()
    with db.transaction() as s:
        company = s.get(Company, cid)
        assert company is not None
        monthly = consolidate(s, company, start, end)
        assert monthly is not None
        n_lines = len(monthly.lines)
    consolidated = time.perf_counter() - t0
    db.dispose()
    return issued, consolidated, n_lines


def main() -> None:
    """Run the benchmarks and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trips", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    secs, cpu, checksum = bench_pricing(args.trips)
    rate = args.trips / secs
    print(
        f"pricing: {args.trips:,} sessions in {secs:.1f} s = {rate:,.0f} sessions/s "
        f"({secs / args.trips * 1e6:.1f} us each; {rate / GOAL:.2f}x the {GOAL:,}/s goal; "
        f"{args.trips / cpu:,.0f}/s of CPU time, which other processes do not eat; "
        f"checksum {checksum})"
    )
    metered = max(1, args.trips // 20)
    secs, checksum = bench_metered(metered)
    print(
        f"pricing, metered sessions on a time-of-day tariff: {metered:,} in {secs:.1f} s = "
        f"{metered / secs:,.0f} sessions/s (checksum {checksum})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
        issued, consolidated, lines = bench_invoicing(url, args.members)
    print(
        f"invoicing: {args.members:,} member invoices issued in {issued:.1f} s "
        f"({args.members / issued:,.0f}/s); monthly fleet invoice with {lines:,} lines "
        f"consolidated in {consolidated:.2f} s ({lines / consolidated:,.0f} lines/s)"
    )


if __name__ == "__main__":
    main()
