"""Helpers shared by the benchmark scripts."""

from __future__ import annotations

import uuid
from typing import Any


def fresh_pg(url: str, prefix: str) -> str:
    """Create an empty PostgreSQL database next to `url` and return its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(url).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def serve_bare(cp_class: Any, subprotocol: str, port_q: Any, stop_ev: Any) -> None:
    """Serve `cp_class` (an ocpp-library ChargePoint with fixed answers) until `stop_ev`."""
    import asyncio
    import contextlib

    import websockets

    async def handler(ws: Any) -> None:
        cp = cp_class(ws.request.path.rsplit("/", 1)[-1], ws)
        with contextlib.suppress(websockets.ConnectionClosed):
            await cp.start()

    async def main() -> None:
        async with websockets.serve(
            handler, "127.0.0.1", 0, subprotocols=[subprotocol], backlog=4096
        ) as srv:
            port_q.put(next(iter(srv.sockets)).getsockname()[1])
            while not stop_ev.is_set():
                await asyncio.sleep(0.2)

    asyncio.run(main())


# What a simulated charger answers when the CSMS asks it something (as real chargers do).
CHARGER_ANSWERS: dict[str, dict[str, Any]] = {
    "GetLocalListVersion": {"listVersion": 0},
    "GetConfiguration": {"configurationKey": []},
    "DataTransfer": {"status": "UnknownVendorId"},
}


def answer_to(frame: Any) -> str | None:
    """The CallResult a charger sends for a CSMS Call frame (parsed), None for other frames."""
    import json

    if isinstance(frame, list) and len(frame) == 4 and frame[0] == 2:
        return json.dumps([3, frame[1], CHARGER_ANSWERS.get(frame[2], {"status": "Accepted"})])
    return None


async def reply(ws: Any) -> Any:
    """The next frame that is not a CSMS Call; Calls met on the way are answered."""
    import json

    while True:
        frame = json.loads(await ws.recv())
        answer = answer_to(frame)
        if answer is None:
            return frame
        await ws.send(answer)
