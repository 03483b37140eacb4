"""Bad frames, unknown actions, auth failures, reconnects: clear errors, nothing lost."""

import asyncio
import json
from datetime import UTC, datetime

import pytest
import websockets
from ocpp.v16 import call
from sqlalchemy import select

from mobility.models import Charger, ConnectorStatusEvent
from tests.e2e.ocpp_server.conftest import basic, connect


async def _raw(srv, cp_id="CP-LYON-002"):
    from mobility.demo import CHARGER_PASSWORD

    return await websockets.connect(
        f"ws://127.0.0.1:{srv.port}/ocpp/{cp_id}",
        subprotocols=["ocpp1.6"],
        additional_headers=basic(cp_id, CHARGER_PASSWORD),
    )


@pytest.mark.parametrize(
    ("frame", "unique_id", "code"),
    [
        ("this is not json", "-1", "FormationViolation"),
        ('{"an": "object"}', "-1", "FormationViolation"),
        ('[2, "m1", "Heartbeat"]', "m1", "FormationViolation"),
        ('[2, "m2", "FlyToTheMoon", {}]', "m2", "NotImplemented"),
        ('[2, "m3", "StatusNotification", {"connectorId": "one"}]', "m3", None),
        ('[2, "m4", "BootNotification", {"chargePointVendor": 5}]', "m4", None),
    ],
)
async def test_bad_frames_get_call_errors_and_session_survives(server, frame, unique_id, code):
    ws = await _raw(server)
    try:
        await ws.send(frame)
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[0] == 4 and reply[1] == unique_id
        if code:
            assert reply[2] == code
        else:
            # OCPP-J 1.6 names (4.2.3): incomplete is a ProtocolError, format FormationViolation.
            assert reply[2] in (
                "ProtocolError",
                "TypeConstraintViolation",
                "FormationViolation",
                "PropertyConstraintViolation",
            )
        await ws.send('[2, "ok", "Heartbeat", {}]')
        alive = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert alive[0] == 3 and alive[1] == "ok" and "currentTime" in alive[2]
    finally:
        await ws.close()


async def test_extra_vendor_fields_are_tolerated_and_data_kept(server, db):
    ws = await _raw(server)
    try:
        frame = [
            2,
            "s1",
            "StatusNotification",
            {
                "connectorId": 1,
                "errorCode": "NoError",
                "status": "Faulted",
                "timestamp": datetime.now(UTC).isoformat(),
                "vendorFancyField": {"x": 1},
            },
        ]
        await ws.send(json.dumps(frame))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
        assert reply[:2] == [3, "s1"]
    finally:
        await ws.close()
    await server.writes.flush()
    with db.sessions() as s:
        assert s.scalar(select(ConnectorStatusEvent.status)) == "Faulted"


async def test_one_chargers_garbage_does_not_disturb_another(server):
    async with connect(server, "CP-LYON-001") as good:
        bad = await _raw(server, "CP-LYON-002")
        for _ in range(20):
            await bad.send("\x00garbage")
        hb = await good.call(call.Heartbeat())
        assert hb.current_time
        replies = [json.loads(await asyncio.wait_for(bad.recv(), 5)) for _ in range(20)]
        assert all(r[0] == 4 and r[2] == "FormationViolation" for r in replies)
        await bad.close()


async def test_wrong_password_and_unknown_charger_are_refused(server):
    with pytest.raises(websockets.InvalidStatus) as wrong:
        async with connect(server, "CP-LYON-001", password="guess"):
            pass
    assert wrong.value.response.status_code == 401
    assert b"Wrong password" in wrong.value.response.body
    with pytest.raises(websockets.InvalidStatus) as unknown:
        async with connect(server, "CP-NOBODY", password="x"):
            pass
    assert b"Unknown charge point" in unknown.value.response.body
    with pytest.raises(websockets.InvalidStatus):
        async with connect(server, "CP-LYON-001", password=None):
            pass


async def test_unknown_charger_registered_as_pending_when_configured(db, settings):
    from mobility.app import ocpp_node
    from mobility.bus import InProcessBus

    srv = ocpp_node(settings.with_(ocpp_auto_register=True), db=db, bus=InProcessBus())
    await srv.start()
    try:
        async with connect(srv, "CP-NEW-7", password="fresh-secret") as cp:
            boot = await cp.call(
                call.BootNotification(charge_point_vendor="V", charge_point_model="M")
            )
            assert boot.status == "Pending"
    finally:
        await srv.stop()
    with db.sessions() as s:
        assert (
            s.scalar(
                select(Charger.registration_status).where(Charger.charge_point_id == "CP-NEW-7")
            )
            == "Pending"
        )


async def test_connection_without_ocpp_subprotocol_is_refused_with_reason(server):
    from mobility.demo import CHARGER_PASSWORD

    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/ocpp/CP-LYON-001",
            additional_headers=basic("CP-LYON-001", CHARGER_PASSWORD),
        ):
            pass
    assert refused.value.response.status_code == 400
    assert b"subprotocol" in refused.value.response.body
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(
            f"ws://127.0.0.1:{server.port}/ocpp/CP-LYON-001",
            subprotocols=["ocpp2.1"],  # a version this node does not speak
            additional_headers=basic("CP-LYON-001", CHARGER_PASSWORD),
        ):
            pass


async def test_bare_path_is_accepted_and_reconnect_replaces_old_socket(server):
    async with connect(server) as first:
        await first.call(call.Heartbeat())
        async with connect(server) as second:
            await asyncio.sleep(0.2)
            assert first._connection.state.name in ("CLOSING", "CLOSED")
            assert server.sessions["CP-LYON-001"] is not None
            hb = await second.call(call.Heartbeat())
            assert hb.current_time
    from mobility.demo import CHARGER_PASSWORD

    async with websockets.connect(
        f"ws://127.0.0.1:{server.port}/CP-LYON-003",
        subprotocols=["ocpp1.6"],
        additional_headers=basic("CP-LYON-003", CHARGER_PASSWORD),
    ) as ws:
        await ws.send('[2, "b1", "Heartbeat", {}]')
        assert json.loads(await ws.recv())[0] == 3
