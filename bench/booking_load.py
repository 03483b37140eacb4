"""Benchmark: concurrent booking of overlapping slots on a small fleet, availability search, and a
bare Flask endpoint served the same way, for each WSGI server (separate process each):
waitress (one process, threads) and gunicorn (gthread workers, POSIX).

Run: .venv/bin/python bench/booking_load.py [--clients 16] [--seconds 10]
     [--servers waitress,gunicorn] [--workers 2] [--postgres postgresql://...]
Prints requests/s, p99 latency, bookings/s and the number of double bookings (must be 0).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import random
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_pg

USERS = 40


def _seed(url: str) -> None:
    from sqlalchemy import insert

    from mobility import migrations
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.demo import seed_demo
    from mobility.models import ApiToken, User
    from mobility.security import token_digest

    db = Database(load_settings({}, database_url=url))
    migrations.upgrade(db.engine)
    seed_demo(db)
    now = datetime.now(UTC)
    with db.transaction() as s:
        users = [
            User(email=f"load{i}@bench.example", password_hash="x", full_name=f"L{i}")
            for i in range(USERS)
        ]
        s.add_all(users)
        s.flush()
        s.execute(
            insert(ApiToken),
            [
                {
                    "user_id": u.id,
                    "name": "bench",
                    "token_hash": token_digest(f"bench-token-{i}"),
                    "created_at": now,
                }
                for i, u in enumerate(users)
            ],
        )
    db.dispose()


def _app(kind: str, url: str | None) -> Any:
    import logging

    from flask import Flask

    logging.disable(logging.WARNING)
    if kind == "bare":
        app = Flask("bare")

        @app.get("/ping")
        def ping() -> dict[str, str]:
            return {"status": "ok"}

        return app
    from mobility.app import create_app
    from mobility.config import load_settings

    return create_app(load_settings({}, database_url=url, secret_key="bench"))


def serve(kind: str, url: str | None, server: str, port: int, workers: int, stop: Any) -> None:
    """Serve the booking app (or a bare Flask app) with `server` on `port` until stopped."""
    if server == "gunicorn":
        from _gunicorn import GunicornServer

        threads = max(1, 16 // workers)
        GunicornServer(lambda: _app(kind, url), "127.0.0.1", port, workers, threads).run()
        return
    from mobility.web.server import WebServer

    web = WebServer(_app(kind, url), "127.0.0.1", port).start()
    stop.wait()
    web.close()


def _wait_listening(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _request(port, "GET", "/nowhere")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server on port {port} did not start")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(
    port: int, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    t0 = time.perf_counter()
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.status, time.perf_counter() - t0


def load(
    port: int, clients: int, seconds: float, make: Any
) -> tuple[int, list[float], dict[int, int]]:
    """Run `clients` threads issuing make(i) requests for `seconds`."""
    lat: list[float] = []
    codes: dict[int, int] = {}
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def worker(i: int) -> None:
        rng = random.Random(i)
        while time.monotonic() < until:
            method, path, body, token = make(i, rng)
            status, took = _request(port, method, path, body, token)
            with lock:
                lat.append(took)
                codes[status] = codes.get(status, 0) + 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(lat), sorted(lat), codes


def p99(lat: list[float]) -> float:
    return lat[int(len(lat) * 0.99)] * 1000 if lat else 0.0


def _car_ids(url: str) -> list[int]:
    from sqlalchemy import select

    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.models import Vehicle

    db = Database(load_settings({}, database_url=url))
    with db.sessions() as s:
        ids = list(s.scalars(select(Vehicle.id).where(Vehicle.kind == "ecar")))
    db.dispose()
    return ids


def double_bookings(url: str) -> int:
    """Pairs of holding bookings of one vehicle whose blocked windows overlap."""
    from sqlalchemy import and_, func, select
    from sqlalchemy.orm import aliased

    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.models import HOLDING_STATES, Booking

    db = Database(load_settings({}, database_url=url))
    a, b = aliased(Booking), aliased(Booking)
    with db.sessions() as s:
        n = s.scalar(
            select(func.count())
            .select_from(a)
            .join(
                b,
                and_(
                    a.vehicle_id == b.vehicle_id,
                    a.id < b.id,
                    a.status.in_(HOLDING_STATES),
                    b.status.in_(HOLDING_STATES),
                    a.start_at < b.block_end_at,
                    b.start_at < a.block_end_at,
                ),
            )
        )
    db.dispose()
    return int(n or 0)


def run(
    kind: str, url: str | None, clients: int, seconds: float, server: str, workers: int
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    port = _free_port()
    proc = ctx.Process(target=serve, args=(kind, url, server, port, workers, stop))
    proc.start()
    _wait_listening(port)
    result: dict[str, Any] = {}
    if kind == "bare":
        n, lat, _ = load(port, clients, seconds, lambda i, rng: ("GET", "/ping", None, None))
        result["bare"] = (n / seconds, p99(lat))
    else:
        base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
        window = f"start={base.isoformat()}&end={(base + timedelta(hours=2)).isoformat()}"
        window = window.replace("+", "%2B")

        def search(i: int, rng: random.Random) -> tuple[str, str, None, str]:
            kind_q = rng.choice(["ebike", "ecar"])
            return (
                "GET",
                f"/api/v1/vehicles?kind={kind_q}&hub_id={rng.randint(1, 3)}&{window}",
                None,
                f"bench-token-{i % USERS}",
            )

        cars = _car_ids(url)
        n, lat, _ = load(port, clients, seconds, search)
        result["search"] = (n / seconds, p99(lat))

        def book(i: int, rng: random.Random) -> tuple[str, str, dict[str, Any], str]:
            # A small fleet (6 e-cars) and 2-hour slots starting on the half hour over 3 days:
            # most requests collide with an existing booking.
            start = base + timedelta(minutes=30 * rng.randrange(0, 144))
            body = {
                "vehicle_id": rng.choice(cars),
                "start": start.isoformat(),
                "end": (start + timedelta(hours=2)).isoformat(),
            }
            return ("POST", "/api/v1/bookings", body, f"bench-token-{i % USERS}")

        n, lat, codes = load(port, clients, seconds, book)
        result["book"] = (n / seconds, p99(lat), codes.get(201, 0) / seconds, codes)
    stop.set()
    if server == "gunicorn":
        proc.terminate()  # SIGTERM: gunicorn's graceful stop
    proc.join(30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--servers", default="waitress,gunicorn")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for server in args.servers.split(","):
            # Fresh databases per server: each starts from the same seeded state.
            dbs = [("sqlite", f"sqlite:///{tmp}/booking-{server}.sqlite")]
            if args.postgres:
                dbs.append(("postgresql", fresh_pg(args.postgres, "booking_bench")))
            for _, url in dbs:
                _seed(url)
            report(server, dbs, args)


def report(server: str, dbs: list[tuple[str, str]], args: Any) -> None:
    """One server: the bare endpoint before and after the app runs, then the app per database."""
    # The ceiling is measured before and after the database runs and averaged: on a small
    # machine the load generator shares the CPU, and one sample can be off by 20 %.
    way = (server, args.workers)
    bare_before = run("bare", None, args.clients, args.seconds, *way)["bare"]
    results = [(name, url, run(name, url, args.clients, args.seconds, *way)) for name, url in dbs]
    bare_after = run("bare", None, args.clients, args.seconds, *way)["bare"]
    ceiling = (bare_before[0] + bare_after[0]) / 2
    label = f"gunicorn, {args.workers} gthread workers" if server == "gunicorn" else "waitress"
    print(
        f"\n== {label}: bare Flask endpoint {bare_before[0]:.0f} req/s before, "
        f"{bare_after[0]:.0f} after, ceiling {ceiling:.0f} req/s, "
        f"p99 {max(bare_before[1], bare_after[1]):.1f} ms"
    )
    print(
        f"{'database':<12}{'search/s':>10}{'p99 ms':>9}{'vs bare':>9}"
        f"{'book req/s':>12}{'p99 ms':>9}{'booked/s':>10}{'409s':>7}{'double':>8}"
    )
    for name, url, r in results:
        codes = r["book"][3]
        print(
            f"{name:<12}{r['search'][0]:>10.0f}{r['search'][1]:>9.1f}"
            f"{r['search'][0] / ceiling:>9.2f}{r['book'][0]:>12.0f}{r['book'][1]:>9.1f}"
            f"{r['book'][2]:>10.1f}{codes.get(409, 0):>7}{double_bookings(url):>8}"
        )
        other = {c: n for c, n in codes.items() if c not in (201, 409)}
        if other:
            print(f"  unexpected statuses: {other}")


if __name__ == "__main__":
    main()
