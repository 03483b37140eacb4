"""Benchmark: every operator console page on a big district, p50/p95 against the 300 ms goal.

Seeds 10,000 chargers (20,000 connectors; the 2.0.1 ones with two EVSEs of one connector),
100,000 charging sessions with 1,000,000 meter values (plus one 8-hour session read every
minute, and 1,000 sessions running now), 20,000 commands, 10,000 audit rows, and for the
dashboard 100,000 invoices, 200,000 connector status reports, 50,000 bookings, 30,000 trips and
a smart-charging site with its plan; for chargers' uptime 300,000 connection events, and a
flapping charger (CP-BENCH-00000) with 10,000 status reports and 2,000 connection events in
the last 30 days; then asks each console page again and again through the app (Flask's client:
the app's own time, no HTTP server) and prints its latencies.

(Named console_pages.py: a bench/console.py would hide the console package from the app.)
Run: .venv/bin/python bench/console_pages.py [--requests 30]
     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fresh_pg

CHARGERS = 10_000
SESSIONS = 100_000
READINGS_PER_SESSION = 10
COMMANDS = 20_000
AUDIT_ROWS = 10_000
RUNNING = 1_000  # sessions charging now, read every 6 minutes for the last two hours
STATUS_REPORTS = 200_000
CONNECTION_EVENTS = 300_000
FLAPPING_REPORTS, FLAPPING_EVENTS = 10_000, 2_000  # CP-BENCH-00000's last 30 days
BOOKINGS = 50_000
TRIPS = 30_000
DAYS = 90  # the seeded history
FIRST = 1_000  # seeded ids start here, clear of the demo district's rows
LONG_SESSION = FIRST + SESSIONS  # the 8-hour session
FIRST_RUNNING = LONG_SESSION + 1
GOAL_MS = 300.0
NOW = datetime.now(UTC).replace(microsecond=0)
MEASURANDS = ("Energy.Active.Import.Register", "Power.Active.Import", "SoC")
STATUSES = ("Available", "Charging", "Preparing", "Faulted", "Unavailable", "SuspendedEV")


def _batches(rows: Iterator[dict[str, Any]], size: int = 20_000) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _chargers(hubs: list[int]) -> Iterator[dict[str, Any]]:
    for n in range(CHARGERS):
        online = n % 10 == 0
        yield {
            "id": FIRST + n,
            "charge_point_id": f"CP-BENCH-{n:05d}",
            "hub_id": hubs[n % len(hubs)],
            "name": f"Bench charger {n}",
            "registration_status": "Accepted",
            "ocpp_version": "2.0.1" if n % 3 == 0 else "1.6",
            "firmware_version": f"4.{n % 7}.2",
            "is_online": online,
            "connected_node": f"node-{n % 4 + 1}" if online else None,
            "last_seen_at": NOW - timedelta(minutes=n % 600),
            "heartbeat_interval": 300,
            "local_list_version": 0,
            "is_public": True,
            "created_at": NOW,
            "updated_at": NOW,
        }


def _connectors() -> Iterator[dict[str, Any]]:
    for n in range(CHARGERS):
        for c in (1, 2):
            yield {
                "charger_id": FIRST + n,
                "connector_id": c,
                "status": STATUSES[(n + c) % len(STATUSES)],
                "error_code": "NoError",
                "availability": "Operative",
                "standard": "IEC_62196_T2",
                "status_at": NOW - timedelta(minutes=n % 300),
            }


def _session(tx_id: int, charger: int, start: datetime, minutes: int, user: int) -> dict[str, Any]:
    return {
        "id": tx_id,
        "charger_id": charger,
        "connector_id": 1 + tx_id % 2,
        "transaction_ref": str(tx_id),
        "id_tag": f"RFID-BENCH-{tx_id % 500:03d}",
        "user_id": user,
        "status": "completed",
        "meter_start_wh": 0,
        "meter_stop_wh": 11_000 * minutes // 60,
        "started_at": start,
        "stopped_at": start + timedelta(minutes=minutes),
        "auth_status": "Accepted",
        "orphan": False,
        "billed": True,
        "created_at": start,
        "updated_at": start,
    }


def _sessions(user: int) -> Iterator[dict[str, Any]]:
    for n in range(SESSIONS):
        start = NOW - timedelta(minutes=90 * 24 * 60 * n // SESSIONS + 60)
        yield _session(FIRST + n, FIRST + n % CHARGERS, start, 45, user)
    yield _session(LONG_SESSION, FIRST, NOW - timedelta(hours=9), 480, user)
    for n in range(RUNNING):
        running = _session(FIRST_RUNNING + n, FIRST + (n * 7) % CHARGERS, NOW - _RUN, 0, user)
        yield {**running, "status": "active", "stopped_at": None, "meter_stop_wh": None}


_RUN = timedelta(hours=2)


def _running_readings() -> Iterator[dict[str, Any]]:
    """Energy and power of the running sessions every 6 minutes (the OCPP server's rows)."""
    for n in range(RUNNING):
        for i in range(20):
            for measurand, value in (
                ("Energy.Active.Import.Register", 1100 * i),
                ("Power.Active.Import", 11_000),
            ):
                yield {
                    "charger_id": FIRST + (n * 7) % CHARGERS,
                    "connector_id": 1,
                    "transaction_id": FIRST_RUNNING + n,
                    "timestamp": NOW - _RUN + timedelta(minutes=6 * i),
                    "measurand": measurand,
                    "value": value,
                }


def _readings(
    tx_id: int, start: datetime, count: int, every: timedelta
) -> Iterator[dict[str, Any]]:
    charger = FIRST if tx_id == LONG_SESSION else FIRST + (tx_id - FIRST) % CHARGERS
    for i in range(count):
        measurand = MEASURANDS[i % 3]
        at = start + every * (i // 3 if tx_id == LONG_SESSION else i)
        value = {"SoC": 20 + i % 70, "Power.Active.Import": 11_000}.get(measurand, 180 * i)
        yield {
            "charger_id": charger,
            "connector_id": 1,
            "transaction_id": tx_id,
            "timestamp": at,
            "measurand": measurand,
            "value": value,
        }


def _meter_values() -> Iterator[dict[str, Any]]:
    for n in range(SESSIONS):
        start = NOW - timedelta(minutes=90 * 24 * 60 * n // SESSIONS + 60)
        yield from _readings(FIRST + n, start, READINGS_PER_SESSION, timedelta(minutes=4))
    yield from _readings(LONG_SESSION, NOW - timedelta(hours=9), 3 * 480, timedelta(minutes=1))
    yield from _running_readings()


def _commands() -> Iterator[dict[str, Any]]:
    for n in range(COMMANDS):
        yield {
            "charger_id": FIRST + n % 50,  # the first chargers have long histories
            "action": "GetConfiguration" if n % 5 == 0 else "Reset",
            "payload": {},
            "status": "answered",
            "response": {"configurationKey": [{"key": "HeartbeatInterval", "value": "300"}]},
            "created_at": NOW - timedelta(seconds=n),
            "answered_at": NOW - timedelta(seconds=n),
        }


def _audit(operator: int) -> Iterator[dict[str, Any]]:
    for n in range(AUDIT_ROWS):
        yield {
            "at": NOW - timedelta(seconds=n),
            "actor_id": operator,
            "actor_email": "operator@example.org",
            "action": "charger.command",
            "target_type": "charger",
            "target_id": f"CP-BENCH-{n % CHARGERS:05d}",
            "details": {"command": "Reset", "payload": {"type": "Soft"}},
        }


def _invoices(user: int) -> Iterator[dict[str, Any]]:
    """One invoice per finished session, issued at its end, priced by one of two tariffs."""
    for n in range(SESSIONS):
        issued = NOW - timedelta(minutes=90 * 24 * 60 * n // SESSIONS + 15)
        yield {
            "number": f"INV-BENCH-{n:06d}",
            "kind": "charging",
            "user_id": user,
            "charging_transaction_id": FIRST + n,
            "currency": "EUR",
            "total_excl_vat_minor": 250,
            "vat_minor": 50,
            "total_minor": 300,
            "status": "paid",
            "bill_to": {"name": "Bench"},
            "issued_at": issued,
            "tariff_code": "CHARGE-STD" if n % 3 else "CHARGE-FLEET",
        }


def _is_201(charger: int) -> bool:
    return (charger - FIRST) % 3 == 0  # as _chargers makes them


def _status_reports() -> Iterator[dict[str, Any]]:
    """Status reports spread over the history: charging, back to available, now and then a
    fault; then the flapping charger's, every few minutes of the last 30 days."""
    for n in range(STATUS_REPORTS):
        charger = FIRST + n % CHARGERS
        yield {
            "charger_id": charger,
            "connector_id": 1 + (n // CHARGERS) % 2,
            "evse_connector_id": 1 if _is_201(charger) else None,
            "status": ("Charging", "Available", "Faulted", "Available")[n % 4],
            "error_code": "NoError",
            "timestamp": NOW - timedelta(seconds=DAYS * 86_400 * n // STATUS_REPORTS),
            "received_at": NOW,
        }
    for n in range(FLAPPING_REPORTS):
        yield {
            "charger_id": FIRST,
            "connector_id": 1 + n % 2,
            "evse_connector_id": 1,
            "status": ("Occupied", "Available", "Faulted", "Available", "Unavailable")[n % 5],
            "error_code": "NoError",
            "timestamp": NOW - timedelta(seconds=30 * 86_400 * n // FLAPPING_REPORTS),
            "received_at": NOW,
        }


def _evse_connectors() -> Iterator[dict[str, Any]]:
    """The 2.0.1 stations' connectors, one inside each of their two EVSEs."""
    for n in range(0, CHARGERS, 3):
        for evse in (1, 2):
            yield {
                "charger_id": FIRST + n,
                "evse_id": evse,
                "connector_id": 1,
                "connector_type": "cType2",
                "status": STATUSES[(n + evse) % len(STATUSES)].replace("Charging", "Occupied"),
                "status_at": NOW - timedelta(minutes=n % 300),
                "availability": "Operative",
            }


def _connection_events() -> Iterator[dict[str, Any]]:
    """Chargers coming and going over the history (newest first), and the flapping one."""
    for n in range(CONNECTION_EVENTS):
        yield {
            "charger_id": FIRST + n % CHARGERS,
            "online": (n // CHARGERS) % 2 == 0,
            "at": NOW - timedelta(seconds=DAYS * 86_400 * n // CONNECTION_EVENTS),
            "node": "node-1",
        }
    for n in range(FLAPPING_EVENTS):
        yield {
            "charger_id": FIRST,
            "online": n % 2 == 0,
            "at": NOW - timedelta(seconds=30 * 86_400 * n // FLAPPING_EVENTS + 7),
            "node": "node-1",
        }


def _bookings(user: int, vehicles: list[int]) -> Iterator[dict[str, Any]]:
    for n in range(BOOKINGS):
        start = NOW - timedelta(minutes=DAYS * 24 * 60 * n // BOOKINGS) + timedelta(days=2)
        yield {
            "user_id": user,
            "vehicle_id": vehicles[n % len(vehicles)],
            "start_at": start,
            "end_at": start + timedelta(minutes=45),
            "block_end_at": start + timedelta(minutes=55),
            "status": ("completed", "cancelled", "no_show", "completed")[n % 4]
            if start < NOW
            else "confirmed",
            "quote_minor": 450,
            "currency": "EUR",
            "created_at": start,
            "updated_at": start,
        }


def _trips(user: int, vehicles: list[int]) -> Iterator[dict[str, Any]]:
    for n in range(TRIPS):
        start = NOW - timedelta(minutes=DAYS * 24 * 60 * n // TRIPS + 50)
        yield {
            "user_id": user,
            "vehicle_id": vehicles[n % len(vehicles)],
            "status": "ended",
            "started_at": start,
            "ended_at": start + timedelta(minutes=40),
            "start_soc_percent": 90,
            "start_odometer_km": 100,
            "currency": "EUR",
            "created_at": start,
            "updated_at": start,
        }


def _site_plan(engine: Any, hub: int) -> None:
    """A smart-charging site on a hub with a 24-hour plan and two days of limit and PV."""
    from sqlalchemy import insert

    from mobility.models import EnergyPlan, EnergySeries, EnergySite

    start = NOW.replace(minute=NOW.minute // 15 * 15, second=0)
    with engine.begin() as conn:
        site = conn.execute(
            insert(EnergySite).values(hub_id=hub, grid_limit_kw=400, created_at=NOW, updated_at=NOW)
        ).inserted_primary_key[0]
        body = {
            "start": start.isoformat(),
            "load_kw": [120.0] * 96,
            "limit_kw": [400.0] * 96,
            "pv_kw": [30.0] * 96,
        }
        conn.execute(insert(EnergyPlan).values(site_id=site, start=start, method="lp", body=body))
        conn.execute(
            insert(EnergySeries),
            [
                {
                    "site_id": site,
                    "kind": kind,
                    "slot_start": start + timedelta(minutes=15 * i),
                    "value": value,
                }
                for i in range(-96, 96)
                for kind, value in (("limit", 380), ("pv", 25))
            ],
        )


def _insert(engine: Any, model: Any, rows: Iterator[dict[str, Any]]) -> None:
    """Insert rows in batches (Core executemany), saying how long it took."""
    from sqlalchemy import insert

    started, count = time.perf_counter(), 0
    for batch in _batches(rows):
        with engine.begin() as conn:
            conn.execute(insert(model), batch)
        count += len(batch)
    took = time.perf_counter() - started
    print(f"  seeded {count:>9,} {model.__tablename__} in {took:.1f} s")


def _tables(hubs: list[int], citizen: int, operator: int, vehicles: list[int]) -> Any:
    """Each seeded table with its rows (generated while inserted)."""
    from mobility.models import (
        AuditEntry,
        Booking,
        Charger,
        ChargerCommand,
        ChargerConnectionEvent,
        ChargingTransaction,
        Connector,
        ConnectorStatusEvent,
        EvseConnector,
        Invoice,
        MeterValue,
        Trip,
    )

    return (
        (Charger, _chargers(hubs)),
        (Connector, _connectors()),
        (ChargingTransaction, _sessions(citizen)),
        (MeterValue, _meter_values()),
        (ChargerCommand, _commands()),
        (AuditEntry, _audit(operator)),
        (Invoice, _invoices(citizen)),
        (ConnectorStatusEvent, _status_reports()),
        (EvseConnector, _evse_connectors()),
        (ChargerConnectionEvent, _connection_events()),
        (Booking, _bookings(citizen, vehicles)),
        (Trip, _trips(citizen, vehicles)),
    )


def seed(url: str) -> None:
    """A migrated database holding the demo district and the big one."""
    from sqlalchemy import select

    from mobility import migrations
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.demo import seed_demo
    from mobility.models import Hub, User, Vehicle

    db = Database(load_settings({}, database_url=url))
    migrations.upgrade(db.engine)
    seed_demo(db)
    with db.sessions() as s:
        hubs = list(s.scalars(select(Hub.id)))
        citizen = s.scalar(select(User.id).where(User.email == "citizen@example.org"))
        operator = s.scalar(select(User.id).where(User.email == "operator@example.org"))
        vehicles = list(s.scalars(select(Vehicle.id)))
    for model, rows in _tables(hubs, citizen, operator, vehicles):
        _insert(db.engine, model, rows)
    _site_plan(db.engine, hubs[0])
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    db.dispose()


def pages() -> list[str]:
    """The console pages measured, with the filters an operator would use."""
    day = (NOW - timedelta(days=30)).date().isoformat()
    return [
        "/console/",
        "/console/?days=30",
        "/console/?days=7",
        "/console/chargers",
        "/console/chargers?page=300",
        "/console/chargers?q=bench-0999",
        "/console/chargers?state=online&page=20",
        f"/console/chargers/CP-BENCH-{0:05d}",
        f"/console/chargers/CP-BENCH-{7777:05d}",
        "/console/live/chargers?page=17",
        "/console/sessions",
        "/console/live/sessions",
        "/console/live/sessions?running_page=20",
        "/console/sessions?page=3000",
        "/console/sessions?charger=CP-BENCH-04242",
        "/console/sessions?card=RFID-BENCH-042",
        "/console/sessions?user=citizen",
        f"/console/sessions?since={day}&until={day}",
        f"/console/sessions/{LONG_SESSION}",
        f"/console/sessions/{FIRST + 54_321}",
        "/console/cards",
        "/console/cards?lists=lagging",
        "/console/fleet",
        "/console/bookings?view=all",
        "/console/bookings?view=today",
        f"/console/bookings/{BOOKINGS // 2}",
        "/console/tariffs",
        "/console/invoices",
        "/console/payments?status=failed",
        "/console/people",
        "/console/audit",
        "/console/audit?page=150",
        "/console/audit?target_type=charger&target_id=CP-BENCH-00042",
    ]


def _client(url: str) -> Any:
    from mobility.app import create_app
    from mobility.config import load_settings
    from mobility.demo import DEMO_PASSWORD

    app = create_app(load_settings({}, database_url=url, secret_key="bench", testing=True))
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    client.post(
        "/login",
        data={"email": "operator@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    return client


Result = tuple[str, float, float, float, float]


def _timed(client: Any, path: str) -> tuple[float, float]:
    """One request's wall and CPU time of this process in ms (the app and SQLite run here;
    on a busy machine the CPU time says what the page costs, the wall time what it took)."""
    started, cpu = time.perf_counter(), time.process_time()
    r = client.get(path)
    assert r.status_code == 200, (path, r.status_code)
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def measure(url: str, requests: int) -> list[Result]:
    """Per page: the first request (caches cold) and, after two warm-ups, the p50 and p95 wall
    time and the p50 CPU time in ms over `requests` requests."""
    client = _client(url)
    results = []
    for path in pages():
        first = _timed(client, path)[0]
        _timed(client, path)
        runs = [_timed(client, path) for _ in range(requests)]
        times = sorted(wall for wall, _ in runs)
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        cpu = statistics.median(c for _, c in runs)
        results.append((path, first, statistics.median(times), p95, cpu))
    return results


def _drop(url: str) -> None:
    """Remove the benchmark's database (a PostgreSQL database, or the SQLite file's folder)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    made = make_url(url)
    if made.drivername.startswith("sqlite"):
        shutil.rmtree(Path(made.database or "").parent, ignore_errors=True)
        return
    admin = create_engine(made.set(drivername="postgresql+psycopg", database="postgres"))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{made.database}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a new database is made)")
    args = parser.parse_args()
    if args.postgres:
        url = fresh_pg(args.postgres, "bench_console")
    else:
        url = f"sqlite:///{tempfile.mkdtemp()}/console.sqlite"
    print(f"database: {url.split('@')[-1]}")
    try:
        seed(url)
        results = measure(url, args.requests)
    finally:
        _drop(url)
    for path, first, p50, p95, cpu in results:
        figures = f"first {first:7.1f}  p50 {p50:7.1f}  p95 {p95:7.1f}  cpu p50 {cpu:6.1f} ms"
        print(f"  {path:<58} {figures}")
    worst = max(p95 for *_, p95, _ in results)
    verdict = "within" if worst <= GOAL_MS else "OVER"
    print(f"slowest page p95 {worst:.1f} ms: {verdict} the {GOAL_MS:.0f} ms goal")


if __name__ == "__main__":
    main()
