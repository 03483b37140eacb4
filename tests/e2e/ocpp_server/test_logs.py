"""What the OCPP node logs: one INFO line per connection event, frames at DEBUG, a charger's bad
input as one line without a traceback, and a quiet shutdown. Real server, real websocket clients.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest
import websockets

from tests.e2e.ocpp_server.rawframes import RawCharger, raw_connect, url

BOOT = {"chargePointVendor": "V", "chargePointModel": "M"}
# What the CSMS asks a charger right after its first boot.
LOCAL_LIST = {
    "GetLocalListVersion": lambda _: {"listVersion": 0},
    "SendLocalList": lambda _: {"status": "Accepted"},
}


def _node_records(caplog: Any) -> list[logging.LogRecord]:
    """Records of the server side (the test's websocket clients log under websockets.client)."""
    return [r for r in caplog.records if not r.name.startswith("websockets.client")]


def _lines(caplog: Any, level: int) -> list[str]:
    return [r.getMessage() for r in _node_records(caplog) if r.levelno >= level]


def _quiet_settle(caplog: Any) -> None:
    assert not [r for r in _node_records(caplog) if r.exc_info], "no tracebacks"


async def test_one_info_line_per_connection_event_and_frames_at_debug(server, caplog):
    caplog.set_level(logging.DEBUG)
    async with raw_connect(server) as ws:
        cp = RawCharger(ws, dict(LOCAL_LIST))
        assert (await cp.call("BootNotification", BOOT))[2]["status"] == "Accepted"
        await cp.call("Heartbeat", {})
        await cp.serve(0.3)  # the after-boot calls, answered
    await asyncio.sleep(0.3)
    assert _lines(caplog, logging.INFO) == [
        "charger CP-LYON-001 connected (ocpp1.6)",
        "charger CP-LYON-001 disconnected",
    ]
    debug = [r.getMessage() for r in _node_records(caplog) if r.levelno == logging.DEBUG]
    assert any('"Heartbeat"' in line for line in debug), "frames received are logged at DEBUG"
    assert any('"currentTime"' in line for line in debug), "frames sent are logged at DEBUG"
    _quiet_settle(caplog)


async def test_a_refused_charger_is_one_warning(server, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(url(server, "CP-LYON-001"), subprotocols=["ocpp1.6"]):
            pass
    lines = _lines(caplog, logging.INFO)
    assert len(lines) == 1 and "refused charger CP-LYON-001" in lines[0]
    _quiet_settle(caplog)


V16, V201 = "ocpp1.6", "ocpp2.0.1"
BAD_INPUT = [
    (V16, "this is not json", "-1", "not JSON"),
    (V16, '{"an": "object"}', "-1", "not an OCPP-J message"),
    (V16, '[2, "m2", "FlyToTheMoon", {}]', "m2", "FlyToTheMoon"),
    (V16, '[2, "m3", "StatusNotification", {"connectorId": "one"}]', "m3", "StatusNotification"),
    (V16, '[2, "m4", "BootNotification", {"chargePointVendor": 5}]', "m4", "BootNotification"),
    (V16, '[2, "m5", "MeterValues", {"connectorId": 1, "meterValue": []}]', "m5", "MeterValues"),
    (V201, "[2, 1, 2]", "-1", "OCPP-J"),
    (V201, '[2, "n1", "FlyToTheMoon", {}]', "n1", "FlyToTheMoon"),
    (V201, '[2, "n2", "Heartbeat", {"extra": {"deep": []}, "x": 1}]', "n2", None),
    (V201, '[2, "n3", "StatusNotification", {"connectorId": "one"}]', "n3", "StatusNotification"),
]


@pytest.mark.parametrize(("protocol", "frame", "unique_id", "names"), BAD_INPUT)
async def test_a_chargers_bad_input_is_one_line_without_traceback(
    server, caplog, protocol, frame, unique_id, names
):
    async with raw_connect(server, protocols=[protocol]) as ws:
        cp = RawCharger(ws, dict(LOCAL_LIST))
        caplog.set_level(logging.INFO)
        caplog.clear()
        reply = await cp.frame(frame, unique_id)
        lines = _lines(caplog, logging.INFO)
        if names is None:  # vendor fields a strict schema forbids are dropped, not refused
            assert reply[0] == 3 and not lines
            return
        assert reply[0] == 4
        assert len(lines) == 1, lines
        assert "CP-LYON-001" in lines[0] and names in lines[0] and reply[2] in lines[0]
        assert _node_records(caplog)[-1].levelno == logging.WARNING
        _quiet_settle(caplog)


async def test_shutdown_with_chargers_connected_is_quiet(server, caplog):
    caplog.set_level(logging.INFO)
    ids = ["CP-LYON-001", "CP-LYON-002", "CP-LYON-003"]
    sockets = [await raw_connect(server, cp_id) for cp_id in ids]
    chargers = [RawCharger(ws, dict(LOCAL_LIST)) for ws in sockets]
    for cp in chargers:
        await cp.call("BootNotification", BOOT)
    # One charger is in the middle of a call when the node stops.
    await sockets[0].send(json.dumps([2, "late", "Heartbeat", {}]))
    caplog.clear()
    await server.stop()
    await asyncio.gather(*(ws.wait_closed() for ws in sockets))
    assert {ws.close_code for ws in sockets} == {1001}
    assert not _lines(caplog, logging.WARNING)
    info = _lines(caplog, logging.INFO)
    assert sorted(line for line in info if "disconnected" in line) == [
        f"charger {cp_id} disconnected" for cp_id in ids
    ]
    assert len(info) <= len(ids) + 2, info  # the disconnections, and the node saying it stops
    _quiet_settle(caplog)
