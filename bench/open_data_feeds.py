"""Benchmark: GBFS vehicle_status for 10,000 vehicles served from the feed cache by the production
web server (waitress, separate process), side by side with a trivial endpoint (/healthz) of the
same app; and the cold regeneration of the feed (marker, snapshot, build, JSON, gzip).

Run: .venv/bin/python bench/open_data_feeds.py [--vehicles 10000] [--requests 300]
     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
Prints per-request latency (mean, p50, p99) over keep-alive connections and the cold times.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing as mp
import random
import statistics
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

# This script shares its name with the open_data package: keep bench/ behind the project root.
HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))
sys.path.append(str(HERE))

from _common import fresh_pg

HUBS = 200
GOAL_MS = 20.0


def seed(url: str, vehicles: int) -> None:
    """The demo tariffs and hubs, then `vehicles` vehicles spread over HUBS hubs (seeded)."""
    from sqlalchemy import insert

    from mobility import migrations
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.demo import seed_demo
    from mobility.models import Hub, Vehicle

    rng = random.Random(16)
    db = Database(load_settings({}, database_url=url))
    migrations.upgrade(db.engine)
    seed_demo(db)
    with db.transaction() as s:
        hubs = [
            Hub(
                slug=f"bench-{i}",
                name=f"Bench hub {i}",
                latitude=Decimal("45.70") + Decimal(i) / 10000,
                longitude=Decimal("4.80") + Decimal(i) / 10000,
                capacity=60,
            )
            for i in range(HUBS)
        ]
        s.add_all(hubs)
        s.flush()
        rows = []
        for n in range(vehicles):
            car = rng.random() < 0.3
            rows.append(
                {
                    "code": f"BENCH-{n}",
                    "kind": "ecar" if car else "ebike",
                    "model": rng.choice(["Zoe", "500e"]) if car else "Urban 500 Wh",
                    "hub_id": hubs[n % HUBS].id,
                    "max_range_km": 350 if car else 70,
                    "soc_percent": rng.randint(10, 100),
                    "state": "maintenance" if rng.random() < 0.03 else "available",
                    "public_id": str(uuid.UUID(int=rng.getrandbits(128))),
                }
            )
        s.execute(insert(Vehicle), rows)
    db.dispose()


def serve(url: str, port_q: Any, stop: Any) -> None:
    """The platform's web app on the production server (waitress)."""
    import logging

    from mobility.app import create_app
    from mobility.config import load_settings
    from mobility.web.server import WebServer

    logging.disable(logging.WARNING)
    app = create_app(load_settings({}, database_url=url, secret_key="bench", gbfs_ttl=3600))
    server = WebServer(app, "127.0.0.1", 0).start()
    port_q.put(server.port)
    stop.wait()
    server.close()


def timed(port: int, path: str, n: int, headers: dict[str, str]) -> tuple[list[float], int]:
    """n sequential GETs on one keep-alive connection: latencies (ms) and the body size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out, size = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        size = len(resp.read())
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status == 200, resp.status
    conn.close()
    return out, size


def summary(lat: list[float]) -> str:
    lat = sorted(lat)
    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
    return f"mean {statistics.fmean(lat):6.2f} ms  p50 {p50:6.2f}  p99 {p99:6.2f}"


def cold(url: str) -> dict[str, float]:
    """Seconds to build vehicle_status from nothing, and to rebuild it from a read snapshot."""
    from datetime import timedelta

    from mobility.config import load_settings
    from mobility.db import Database
    from open_data.context import build_context

    db = Database(load_settings({}, database_url=url))
    runs = []
    for _ in range(3):
        ctx = build_context(db.settings, db, timedelta(minutes=10), timedelta(days=60))
        t0 = time.perf_counter()
        doc, _ = ctx.feeds.get("3.0", "vehicle_status")
        runs.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    snapshot = ctx.feeds.reader.snapshot(ctx.feeds.clock())
    read = time.perf_counter() - t0
    db.dispose()
    return {
        "cold_s": min(runs),
        "snapshot_s": read,
        "vehicles": len(snapshot.vehicles),
        "bytes": len(doc.body),
        "gz": len(doc.gzipped),
    }


def run(url: str, requests: int) -> None:
    c = cold(url)
    print(
        f"  cold regeneration of vehicle_status ({c['vehicles']} vehicles read): "
        f"{c['cold_s'] * 1000:.0f} ms (reading the snapshot: {c['snapshot_s'] * 1000:.0f} ms); "
        f"{c['bytes'] / 1e6:.2f} MB JSON, {c['gz'] / 1e3:.0f} KB gzip"
    )
    ctx = mp.get_context("spawn")
    port_q, stop = ctx.Queue(), ctx.Event()
    proc = ctx.Process(target=serve, args=(url, port_q, stop))
    proc.start()
    port = port_q.get(timeout=300)
    try:
        timed(port, "/gbfs/3.0/vehicle_status.json", 3, {})  # fill the cache
        cases = [
            ("/healthz (trivial endpoint)", "/healthz", {}),
            ("vehicle_status, gzip", "/gbfs/3.0/vehicle_status.json", {"Accept-Encoding": "gzip"}),
            ("vehicle_status, identity", "/gbfs/3.0/vehicle_status.json", {}),
        ]
        for label, path, headers in cases:
            lat, size = timed(port, path, requests, headers)
            print(f"  {label:<28} {summary(lat)}  ({size / 1e3:.0f} KB)")
    finally:
        stop.set()
        proc.join(30)
    print(f"  goal: <= {GOAL_MS:.0f} ms per request from cache")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vehicles", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--postgres", default=None)
    args = ap.parse_args()
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("SQLite", f"sqlite:///{tmp}/bench.sqlite"))
        if args.postgres:
            targets.append(("PostgreSQL", fresh_pg(args.postgres, "bench_gbfs")))
        for name, url in targets:
            print(f"{name}: seeding {args.vehicles} vehicles at {HUBS} hubs")
            seed(url, args.vehicles)
            run(url, args.requests)


if __name__ == "__main__":
    main()
