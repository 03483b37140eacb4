"""A node with ws:// and wss:// listeners and certificates made in the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from mobility.app import ocpp_node
from mobility.bus import InProcessBus
from mobility.demo import seed_demo
from ocpp_server.server import OcppServer
from tests.support import pki


@pytest.fixture
async def tls_node(db, settings, tmp_path) -> AsyncIterator[tuple[OcppServer, pki.Pki]]:
    """A node with ws:// on one port and wss:// (profiles 2 and 3) on another."""
    seed_demo(db)
    keys = pki.Pki.make(tmp_path / "pki")
    node_settings = settings.with_(
        ocpp_tls_cert=str(keys.server_cert),
        ocpp_tls_key=str(keys.server_key),
        ocpp_tls_port=0,
        ocpp_ca_cert=str(tmp_path / "ca" / "charger-ca.pem"),
        ocpp_ca_key=str(tmp_path / "ca" / "charger-ca.key"),
    )
    srv = ocpp_node(node_settings, db=db, bus=InProcessBus())
    await srv.start()
    yield srv, keys
    await srv.stop()
