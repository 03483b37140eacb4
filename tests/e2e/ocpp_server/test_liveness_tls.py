"""Connection tracking, the offline job, and security profile 2 (TLS)."""

import asyncio
import ssl
import subprocess
from datetime import UTC, datetime, timedelta

from ocpp.v16 import call
from sqlalchemy import select, update

from mobility.app import ocpp_node
from mobility.bus import InProcessBus
from mobility.models import Charger
from tests.e2e.ocpp_server.conftest import connect


def _state(db, cp_id="CP-LYON-001"):
    with db.sessions() as s:
        c = s.scalar(select(Charger).where(Charger.charge_point_id == cp_id))
        return c.is_online, c.connected_node, c.last_seen_at


async def test_connections_are_tracked_and_silent_chargers_go_offline(server, db, settings):
    async with connect(server) as cp:
        await cp.call(call.Heartbeat())
        await server.presence.flush()  # connection states are stored in batches
        online, node, _ = _state(db)
        assert online and node == settings.node_id
        await asyncio.sleep(1.3)  # liveness is flushed in batches every second
        assert _state(db)[2] > datetime.now(UTC) - timedelta(seconds=5)
        assert server.charging.mark_offline() == []
        with db.transaction() as s:
            s.execute(update(Charger).values(last_seen_at=datetime.now(UTC) - timedelta(hours=1)))
        await asyncio.sleep(0)
        assert "CP-LYON-001" in await asyncio.to_thread(server.charging.mark_offline)
        assert _state(db)[0] is False
    await asyncio.sleep(0.2)
    assert _state(db)[1] is None


async def test_tls_security_profile_2(db, settings, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    from mobility.demo import seed_demo

    seed_demo(db)
    srv = ocpp_node(
        settings.with_(ocpp_tls_cert=str(cert), ocpp_tls_key=str(key)), db=db, bus=InProcessBus()
    )
    await srv.start()
    try:
        client_ctx = ssl.create_default_context(cafile=str(cert))
        async with connect(srv, scheme="wss", ssl=client_ctx) as cp:
            boot = await cp.call(
                call.BootNotification(charge_point_vendor="V", charge_point_model="M")
            )
            assert boot.status == "Accepted"
    finally:
        await srv.stop()
