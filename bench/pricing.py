"""Benchmark: price N trips/charging sessions with the pure engine, then invoice M fleet members.

Run: .venv/bin/python bench/pricing.py [--trips 1000000] [--members 10000] [--database-url URL]
Prints throughput for pricing and for the monthly consolidated invoice (SQLite by default).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from billing.fleet_invoices import consolidate, month_bounds
from billing.invoices import issue
from billing.pricing import charging_periods, price_session, rental_periods
from billing.tariffs import tariff_spec
from mobility import migrations
from mobility.config import load_settings
from mobility.db import Database
from mobility.demo import TARIFFS
from mobility.models import Company, InvoiceKind, User

TZ = ZoneInfo("Europe/Paris")


def bench_pricing(n: int) -> tuple[float, int]:
    """Price n sessions (mix of e-bike, e-car and charging); returns seconds and a checksum."""
    specs = [
        tariff_spec(t["code"], "EUR", t["elements"], daily_cap=t.get("daily_cap_excl_vat"))
        for t in TARIFFS
    ]
    rng = random.Random(42)
    base = datetime(2026, 11, 1, tzinfo=UTC)
    jobs = []
    for i in range(n):
        start = base + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
        minutes = rng.randrange(3, 600)
        jobs.append((i % 3, start, start + timedelta(minutes=minutes), rng.randrange(0, 800)))
    total = 0
    t0 = time.perf_counter()
    for kind, start, end, amount in jobs:
        if kind == 2:
            periods = charging_periods(start, end, Decimal(amount * 50), None)
        else:
            periods = rental_periods(start, end, Decimal(amount) / 10)
        total += price_session(specs[kind], periods, TZ).total_minor
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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trips", type=int, default=1_000_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    secs, checksum = bench_pricing(args.trips)
    print(
        f"pricing: {args.trips:,} sessions in {secs:.1f} s = {args.trips / secs:,.0f} "
        f"sessions/s ({secs / args.trips * 1e6:.1f} us each; checksum {checksum})"
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
