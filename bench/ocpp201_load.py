"""OCPP 2.0.1 pieces of bench/ocpp_throughput.py: a bare ocpp-library central system and a
TransactionEvent-heavy station (a session started once, then Updated events with readings,
heartbeats and status notifications in turn)."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

SUBPROTOCOL = "ocpp2.0.1"


def run_bare201(port_q: Any, stop_ev: Any, raise_fd_limit: Any) -> None:
    """A 2.0.1 central system written only with the ocpp library: fixed answers, no database."""
    import logging

    from _common import serve_bare
    from ocpp.routing import on
    from ocpp.v201 import ChargePoint, call_result
    from ocpp.v201.enums import Action

    logging.disable(logging.WARNING)
    raise_fd_limit()

    class Bare(ChargePoint):
        @on(Action.boot_notification)
        def boot(self, **_: Any) -> Any:
            return call_result.BootNotification(
                current_time=datetime.now(UTC).isoformat(), interval=300, status="Accepted"
            )

        @on(Action.heartbeat)
        def hb(self, **_: Any) -> Any:
            return call_result.Heartbeat(current_time=datetime.now(UTC).isoformat())

        @on(Action.status_notification)
        def status(self, **_: Any) -> Any:
            return call_result.StatusNotification()

        @on(Action.transaction_event)
        def event(self, **_: Any) -> Any:
            return call_result.TransactionEvent()

    serve_bare(Bare, SUBPROTOCOL, port_q, stop_ev)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def boot() -> str:
    """A BootNotification frame."""
    payload = {"chargingStation": {"model": "Sim", "vendorName": "Bench"}, "reason": "PowerUp"}
    return json.dumps([2, "boot", "BootNotification", payload])


def started(tx: str) -> str:
    """The session every station runs during the measurement."""
    payload = {
        "eventType": "Started",
        "timestamp": _now(),
        "triggerReason": "CablePluggedIn",
        "seqNo": 0,
        "transactionInfo": {"transactionId": tx, "chargingState": "Charging"},
        "evse": {"id": 1, "connectorId": 1},
    }
    return json.dumps([2, "start", "TransactionEvent", payload])


def messages(tx: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Updated events with readings (two of every four messages), heartbeats, statuses."""
    seq, wh = 0, 1000
    while True:
        for action in ("TransactionEvent", "Heartbeat", "TransactionEvent", "StatusNotification"):
            if action == "TransactionEvent":
                seq, wh = seq + 1, wh + 30
                yield (
                    action,
                    {
                        "eventType": "Updated",
                        "timestamp": _now(),
                        "triggerReason": "MeterValuePeriodic",
                        "seqNo": seq,
                        "transactionInfo": {"transactionId": tx},
                        "meterValue": [
                            {
                                "timestamp": _now(),
                                "sampledValue": [
                                    {"value": wh, "measurand": "Energy.Active.Import.Register"},
                                    {"value": 7400, "measurand": "Power.Active.Import"},
                                ],
                            }
                        ],
                    },
                )
            elif action == "Heartbeat":
                yield action, {}
            else:
                yield (
                    action,
                    {
                        "timestamp": _now(),
                        "connectorStatus": "Occupied",
                        "evseId": 1,
                        "connectorId": 1,
                    },
                )


async def station(
    port: int, cp_id: str, password: str, clock: dict[str, float], lat: list[float], auth: bool
) -> int:
    """One station: boot, start a session, then report until the clock says; messages sent."""
    import websockets
    from _common import reply

    headers = {}
    if auth:
        token = base64.b64encode(f"{cp_id}:{password}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/ocpp/{cp_id}",
        subprotocols=[SUBPROTOCOL],  # type: ignore[list-item]
        additional_headers=headers,
        open_timeout=60,
        ping_interval=None,
    ) as ws:
        for frame in (boot(), started(f"T-{cp_id}")):
            await ws.send(frame)
            await reply(ws)
        clock["ready"] += 1
        sent = 0
        for action, payload in messages(f"T-{cp_id}"):
            if time.monotonic() >= clock["until"]:
                break
            t0 = time.perf_counter()
            await ws.send(json.dumps([2, uuid.uuid4().hex[:12], action, payload]))
            answer = await reply(ws)
            lat.append(time.perf_counter() - t0)
            if answer[0] != 3:
                raise RuntimeError(f"{cp_id}: {answer}")
            sent += 1
        return sent
