"""Benchmark: OCPP throughput and latency of this CSMS (persisting) vs a bare ocpp-library CSMS.

N simulated chargers (raw websocket clients, one client process) send BootNotification, then
Heartbeat / StatusNotification / MeterValues in turn, each waiting for its answer, for S seconds.
The server runs in its own process. Then M idle chargers connect to this CSMS and stay connected.

With --version 2.0.1 the stations speak OCPP 2.0.1 and the load is TransactionEvent-heavy
(bench/ocpp201_load.py), against a bare 2.0.1 central system built on the same library.

Run: .venv/bin/python bench/ocpp_throughput.py [--chargers 2000] [--seconds 20] [--idle 10000]
     [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--version 2.0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import itertools
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import answer_to, fresh_pg, reply, serve_bare

PASSWORD = "bench-secret"
BOOT_SETTLE_S = 12  # OCPP_AFTER_BOOT_DELAY (10 s) and a margin


def _raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- servers --------------------------------------------------------------------------------
def _seed(url: str, n: int) -> None:
    from sqlalchemy import insert

    from mobility import migrations
    from mobility.config import load_settings
    from mobility.db import Database
    from mobility.demo import seed_demo
    from mobility.models import Charger
    from mobility.security import token_digest

    db = Database(load_settings({}, database_url=url))
    migrations.upgrade(db.engine)
    seed_demo(db)
    digest = token_digest(PASSWORD)
    with db.transaction() as s:
        s.execute(
            insert(Charger),
            [
                {
                    "charge_point_id": f"BENCH-{i:05d}",
                    "password_hash": digest,
                    "name": "bench",
                    # Chargers in service: they hold our local list already (a first contact
                    # would add one list transfer per charger, once in its life).
                    "local_list_version": 1,
                    "local_list_synced_version": 1,
                    "local_list_status": "Accepted",
                }
                for i in range(n)
            ],
        )
    db.dispose()


def run_platform(url: str, n: int, port_q: Any, stop_ev: Any, stats_q: Any) -> None:
    """This CSMS: auth, validation, persistence."""
    import logging

    logging.disable(logging.WARNING)
    _raise_fd_limit()
    _seed(url, n)
    from mobility.app import ocpp_node
    from mobility.bus import InProcessBus
    from mobility.config import load_settings
    from mobility.db import Database
    from ocpp_server.lean import collect_less_often

    collect_less_often()  # as `mobility ocpp` and `mobility run` set their process

    async def main() -> None:
        settings = load_settings({}, database_url=url, ocpp_port=0)
        srv = ocpp_node(settings, db=Database(settings), bus=InProcessBus())
        await srv.start()
        port_q.put(srv.port)
        while not stop_ev.is_set():
            await asyncio.sleep(0.2)
            stats_q.put(("sessions", len(srv.sessions), _rss_mb()))
        await srv.stop()

    asyncio.run(main())


def run_bare(port_q: Any, stop_ev: Any, stats_q: Any, tuned_gc: bool = False) -> None:
    """A CSMS written only with the ocpp library: fixed answers, no auth, no database (with
    `tuned_gc`, the collector set as this CSMS sets it: a fair second reference)."""
    import logging

    from ocpp_server.lean import collect_less_often

    if tuned_gc:
        collect_less_often()

    from ocpp.routing import on
    from ocpp.v16 import ChargePoint, call_result
    from ocpp.v16.enums import Action, RegistrationStatus

    logging.disable(logging.WARNING)
    _raise_fd_limit()

    class Bare(ChargePoint):
        @on(Action.boot_notification)
        def boot(self, **_: Any) -> Any:
            return call_result.BootNotification(
                current_time=datetime.now(UTC).isoformat(),
                interval=300,
                status=RegistrationStatus.accepted,
            )

        @on(Action.heartbeat)
        def hb(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(UTC).isoformat())

        @on(Action.status_notification)
        def status(self, **_: Any) -> Any:
            return call_result.StatusNotification()

        @on(Action.meter_values)
        def meter(self, **_: Any) -> Any:
            return call_result.MeterValues()

    serve_bare(Bare, "ocpp1.6", port_q, stop_ev)


# -- clients --------------------------------------------------------------------------------
def _messages(i: int) -> list[tuple[str, dict[str, Any]]]:
    now = datetime.now(UTC).isoformat()
    return [
        ("Heartbeat", {}),
        (
            "StatusNotification",
            {"connectorId": 1, "errorCode": "NoError", "status": "Charging", "timestamp": now},
        ),
        (
            "MeterValues",
            {
                "connectorId": 1,
                "meterValue": [
                    {
                        "timestamp": now,
                        "sampledValue": [
                            {
                                "value": str(1000 + i),
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh",
                            },
                            {"value": "7400", "measurand": "Power.Active.Import", "unit": "W"},
                        ],
                    }
                ],
            },
        ),
    ]


async def _charger(
    port: int, cp_id: str, clock: dict[str, float], lat: list[float], auth: bool
) -> int:
    import websockets

    headers = {}
    if auth:
        token = base64.b64encode(f"{cp_id}:{PASSWORD}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ocpp/{cp_id}",
        subprotocols=["ocpp1.6"],
        additional_headers=headers,
        open_timeout=60,
        ping_interval=None,
    ) as ws:
        await ws.send(
            json.dumps(
                [
                    2,
                    "boot",
                    "BootNotification",
                    {"chargePointVendor": "Bench", "chargePointModel": "Sim"},
                ]
            )
        )
        await reply(ws)
        clock["ready"] += 1
        sent = 0
        msgs = itertools.cycle(_messages(sent))
        while time.monotonic() < clock["until"]:
            action, payload = next(msgs)
            t0 = time.perf_counter()
            await ws.send(json.dumps([2, uuid.uuid4().hex[:12], action, payload]))
            answer = await reply(ws)
            lat.append(time.perf_counter() - t0)
            if answer[0] != 3:
                raise RuntimeError(f"{cp_id}: {answer}")
            sent += 1
        return sent


def run_clients(
    port: int, n: int, seconds: float, auth: bool, out_q: Any, version: str = "1.6"
) -> None:
    """All chargers in one process; reports count and latencies."""
    _raise_fd_limit()
    from ocpp201_load import station

    def one(i: int, clock: dict[str, float], lat: list[float]) -> Any:
        if version == "2.0.1":
            return station(port, f"BENCH-{i:05d}", PASSWORD, clock, lat, auth)
        return _charger(port, f"BENCH-{i:05d}", clock, lat, auth)

    async def main() -> tuple[int, list[float], float]:
        lat: list[float] = []
        # The handshake storm (and 2.0.1's session starts) must not count as steady state:
        # the clock starts once every charger has booted (at most two minutes of warm-up).
        clock = {"ready": 0.0, "until": float("inf")}
        tasks = [asyncio.create_task(one(i, clock, lat)) for i in range(n)]
        warm_until = time.monotonic() + 120
        while clock["ready"] < n and time.monotonic() < warm_until:
            await asyncio.sleep(0.1)
        # What a CSMS does right after a boot (this one syncs local lists, spread over 10 s)
        # belongs to the boot, not to the steady state: let it settle first.
        await asyncio.sleep(BOOT_SETTLE_S)
        lat.clear()
        t0 = time.monotonic()
        clock["until"] = t0 + seconds
        counts = await asyncio.gather(*tasks, return_exceptions=True)
        elapsed = time.monotonic() - t0
        errors = [c for c in counts if isinstance(c, BaseException)]
        if errors:
            print(f"  {len(errors)} charger(s) failed, first: {errors[0]!r}", file=sys.stderr)
        return len(lat), lat, elapsed

    count, lat, elapsed = asyncio.run(main())
    lat.sort()
    out_q.put(
        (count, elapsed, lat[len(lat) // 2] if lat else 0, lat[int(len(lat) * 0.99)] if lat else 0)
    )


_BOOT = json.dumps(
    [2, "b", "BootNotification", {"chargePointVendor": "B", "chargePointModel": "S"}]
)


def _frame(text: str) -> bytes:
    """A masked client text frame (RFC 6455), fixed mask: the server must unmask it."""
    data, mask = text.encode(), b"\x01\x02\x03\x04"
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
    if len(data) < 126:
        return bytes([0x81, 0x80 | len(data)]) + mask + masked
    return bytes([0x81, 0x80 | 126]) + len(data).to_bytes(2, "big") + mask + masked


def _upgrade(port: int, cp_id: str) -> bytes:
    token = base64.b64encode(f"{cp_id}:{PASSWORD}".encode()).decode()
    return (
        f"GET /ocpp/{cp_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\n"
        f"Authorization: Basic {token}\r\n\r\n"
    ).encode()


async def _raw_call(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, text: str) -> None:
    """Send one Call frame and read its (unmasked) answer; anything but a CallResult raises."""
    writer.write(_frame(text))
    while True:
        first = await reader.readexactly(2)
        size = first[1] & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        got = await reader.readexactly(size)
        answer = answer_to(json.loads(got)) if got.startswith(b"[2") else None
        if answer is None:
            break
        writer.write(_frame(answer))  # the CSMS asked something first (its local list...)
    if not got.startswith(b"[3"):
        raise ConnectionError(got[:80].decode())


async def _raw_boot(
    port: int, cp_id: str, then: int = 0
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Connect and boot one charger with hand-made frames, then send `then` reports."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**16)
    writer.write(_upgrade(port, cp_id))
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
    await _raw_call(reader, writer, _BOOT)
    for k, (action, payload) in zip(range(then), itertools.cycle(_messages(0)), strict=False):
        await _raw_call(reader, writer, json.dumps([2, f"m{k}", action, payload]))
    return reader, writer


def run_storm(port: int, n: int, burst: int, out_q: Any) -> None:
    """n chargers reconnect at once (as after a CSMS restart), boot and send `burst` reports."""
    _raise_fd_limit()

    async def one(i: int, gate: asyncio.Semaphore, done: asyncio.Event, left: list[int]) -> None:
        async with gate:  # the client machine's own limit on handshakes in flight
            _, writer = await _raw_boot(port, f"BENCH-{i:05d}", burst)
        left[0] -= 1
        if not left[0]:
            done.set()
        await done.wait()
        writer.close()

    async def main() -> tuple[int, float, dict[str, int]]:
        done, left = asyncio.Event(), [n]
        gate = asyncio.Semaphore(2000)
        t0 = time.monotonic()
        tasks = [asyncio.create_task(one(i, gate, done, left)) for i in range(n)]
        waiter = asyncio.create_task(done.wait())
        await asyncio.wait([waiter, *tasks], timeout=300, return_when=asyncio.FIRST_EXCEPTION)
        took = time.monotonic() - t0
        done.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors: dict[str, int] = {}
        for r in results:
            if isinstance(r, BaseException):
                errors[type(r).__name__] = errors.get(type(r).__name__, 0) + 1
        return n - sum(errors.values()), took, errors

    out_q.put(asyncio.run(main()))


def run_idle(port: int, n: int, out_q: Any) -> None:
    """Open n connections, boot each, hold them; report how many stayed open."""
    _raise_fd_limit()

    async def one(i: int, hold: asyncio.Event, gate: asyncio.Semaphore, ok: list[int]) -> None:
        async with gate:  # handshakes in flight at once
            _, writer = await _raw_boot(port, f"BENCH-{i:05d}")
        ok.append(i)
        await hold.wait()
        writer.close()

    async def main() -> tuple[int, float, dict[str, int]]:
        hold, ok = asyncio.Event(), []
        gate = asyncio.Semaphore(1000)
        t0 = time.monotonic()
        tasks = [asyncio.create_task(one(i, hold, gate, ok)) for i in range(n)]
        deadline = t0 + 120 + n / 20
        while len(ok) + sum(t.done() for t in tasks) < n and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        took = time.monotonic() - t0
        await asyncio.sleep(5)  # still there a few seconds later?
        held = len(ok) - sum(t.done() for t in tasks)
        hold.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors: dict[str, int] = {}
        for r in results:
            if isinstance(r, BaseException):
                errors[type(r).__name__] = errors.get(type(r).__name__, 0) + 1
        return held, took, errors

    out_q.put(asyncio.run(main()))


# -- orchestration --------------------------------------------------------------------------
def measure(
    kind: str, url: str | None, n: int, seconds: float, version: str = "1.6"
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    port_q, stats_q, out_q, stop = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Event()
    if kind == "bare" and version == "2.0.1":
        from ocpp201_load import run_bare201

        server = ctx.Process(target=run_bare201, args=(port_q, stop, _raise_fd_limit))
    elif kind == "bare":
        server = ctx.Process(target=run_bare, args=(port_q, stop, stats_q))
    else:
        server = ctx.Process(target=run_platform, args=(url, n, port_q, stop, stats_q))
    server.start()
    port = port_q.get(timeout=300)
    client = ctx.Process(
        target=run_clients, args=(port, n, seconds, kind != "bare", out_q, version)
    )
    client.start()
    count, elapsed, p50, p99 = out_q.get(timeout=seconds + 600)
    client.join()
    stop.set()
    server.join(30)
    return {"kind": kind, "msgs": count, "rate": count / elapsed, "p50": p50, "p99": p99}


def measure_storm(
    kind: str, url: str | None, n: int, burst: int = 0
) -> tuple[int, float, dict[str, int]]:
    """Start a server, then let n chargers connect, boot and send `burst` reports at once."""
    ctx = mp.get_context("spawn")
    port_q, stats_q, out_q, stop = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Event()
    if kind.startswith("bare"):
        server = ctx.Process(target=run_bare, args=(port_q, stop, stats_q, kind == "bare-gc"))
    else:
        server = ctx.Process(target=run_platform, args=(url, n, port_q, stop, stats_q))
    server.start()
    port = port_q.get(timeout=600)
    client = ctx.Process(target=run_storm, args=(port, n, burst, out_q))
    client.start()
    result = out_q.get(timeout=900)
    client.join()
    stop.set()
    server.join(60)
    return result


def storm_report(n: int, postgres: str | None, tmp: str, burst: int = 0) -> None:
    """Reconnect storm (and reports right after it): bare library and this CSMS side by side."""
    rows = [("bare ocpp library (no DB)", measure_storm("bare", None, n, burst))]
    rows.append(("bare, our GC thresholds", measure_storm("bare-gc", None, n, burst)))
    url = f"sqlite:///{tmp}/storm{burst}.sqlite"
    rows.append(("this CSMS + sqlite", measure_storm("sqlite", url, n, burst)))
    if postgres:
        url = fresh_pg(postgres, "storm")
        rows.append(("this CSMS + postgresql", measure_storm("pg", url, n, burst)))
    bare = rows[0][1][1]
    then = f", then {burst} reports each right away" if burst else ""
    print(f"\nreconnect storm: {n:,} chargers connect and boot at once{then}")
    print(f"{'server':<28}{'booted':>9}{'seconds':>9}{'vs bare':>9}")
    for name, (booted, took, errors) in rows:
        print(f"{name:<28}{booted:>9,}{took:>9.1f}{took / bare:>9.2f}")
        if errors:
            print(f"  failed: {errors}")


def measure_idle(url: str, n: int) -> tuple[int, float, float, float, dict[str, int]]:
    ctx = mp.get_context("spawn")
    port_q, stats_q, out_q, stop = ctx.Queue(), ctx.Queue(), ctx.Queue(), ctx.Event()
    server = ctx.Process(target=run_platform, args=(url, n, port_q, stop, stats_q))
    server.start()
    port = port_q.get(timeout=600)
    client = ctx.Process(target=run_idle, args=(port, n, out_q))
    client.start()
    held, took, errors = out_q.get(timeout=1800)
    peak_sessions, rss, base = 0, 0.0, None
    while not stats_q.empty():
        _, sessions, mem = stats_q.get()
        if base is None:
            base = mem  # before the first charger: the process itself
        peak_sessions, rss = max(peak_sessions, sessions), max(rss, mem)
    per_charger_kb = (rss - (base or rss)) * 1024 / max(1, peak_sessions)
    client.join()
    stop.set()
    server.join(30)
    held = min(held, peak_sessions) if peak_sessions else held
    return held, rss, per_charger_kb, took, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chargers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (a fresh DB is made)")
    parser.add_argument("--storm", type=int, default=0, help="also: N chargers reconnect at once")
    parser.add_argument("--burst", type=int, default=0, help="with --storm: reports after boot")
    parser.add_argument("--version", choices=("1.6", "2.0.1"), default="1.6")
    args = parser.parse_args()
    _raise_fd_limit()
    with tempfile.TemporaryDirectory() as tmp:
        if args.storm:
            storm_report(args.storm, args.postgres, tmp, args.burst)
        if args.chargers:
            throughput_report(args.chargers, args.seconds, args.postgres, tmp, args.version)
        if args.idle:
            idle_report(args.idle, tmp)


def throughput_report(
    n: int, seconds: float, postgres: str | None, tmp: str, version: str = "1.6"
) -> None:
    """Steady message throughput: bare library and this CSMS side by side."""
    rows = [measure("bare", None, n, seconds, version)]
    rows.append(measure("sqlite", f"sqlite:///{tmp}/bench.sqlite", n, seconds, version))
    if postgres:
        rows.append(measure("postgresql", fresh_pg(postgres, "ocpp_bench"), n, seconds, version))
    bare = rows[0]["rate"]
    print(f"\nOCPP {version} throughput, {n} chargers, {seconds:g} s steady state")
    print(f"{'server':<28}{'msgs':>9}{'msgs/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'vs bare':>9}")
    for r in rows:
        name = "bare ocpp library (no DB)" if r["kind"] == "bare" else f"this CSMS + {r['kind']}"
        print(
            f"{name:<28}{r['msgs']:>9}{r['rate']:>10.0f}{r['p50'] * 1000:>9.1f}"
            f"{r['p99'] * 1000:>9.1f}{r['rate'] / bare:>9.2f}"
        )


def idle_report(n: int, tmp: str) -> None:
    """n idle chargers held by one process, and what each costs in memory."""
    held, rss, each, took, errors = measure_idle(f"sqlite:///{tmp}/idle.sqlite", n)
    print(
        f"\nidle: {held:,} of {n:,} chargers connected, booted and held by one "
        f"process (all connected in {took:.0f} s; server peak RSS {rss:.0f} MB, "
        f"{each:.0f} KB per charger above the idle process)"
    )
    if errors:
        print(f"  failed connections: {errors}")


if __name__ == "__main__":
    main()
