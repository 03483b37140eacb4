"""Security profiles 1 -> 2 -> 3 over real ws/wss sockets, with certificates made in the test."""

from __future__ import annotations

import asyncio
import ssl

import pytest
import websockets
from ocpp.v16 import call
from sqlalchemy import select
from websockets.exceptions import InvalidHandshake

from mobility.demo import CHARGER_PASSWORD
from mobility.models import CertificateStatus, ChargerCommand
from ocpp_server.security.ca import certificate_facts
from ocpp_server.server import OcppServer
from tests.e2e.ocpp_server.security.chargers import (
    SecureCharger,
    certificates_of,
    link,
    profile_of,
    refused,
    until,
    urls,
)
from tests.support import pki

CP = "CP-LYON-001"
BOOT = call.BootNotification(charge_point_vendor="V", charge_point_model="M")


async def _profile_1_to_2(srv: OcppServer, keys: pki.Pki) -> None:
    """On ws:// with HTTP Basic: install the CSMS root, then switch the charger to profile 2."""
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        assert (await cp.call(BOOT)).status == "Accepted"
        root = {"certificateType": "CentralSystemRootCertificate", "certificate": keys.root_pem}
        assert await srv.bus.call(CP, "InstallCertificate", root, 10) == {"status": "Accepted"}
        change = {"key": "SecurityProfile", "value": "2"}
        assert await srv.bus.call(CP, "ChangeConfiguration", change, 10) == {"status": "Accepted"}
        assert cp.configuration == {"SecurityProfile": "2"}


async def _profile_2_to_3(srv: OcppServer, keys: pki.Pki, db) -> tuple[str, pki.PrivateKey]:
    """On wss:// with HTTP Basic: the CSMS asks for a CSR, signs it, then switches to profile 3."""
    _, wss_url = urls(srv)
    async with link(wss_url, CP, CHARGER_PASSWORD, keys.client_context()) as cp:
        assert (await cp.call(BOOT)).status == "Accepted"
        assert profile_of(db) == 2  # raised once the charger came back on profile 2
        trigger = {"requestedMessage": "SignChargePointCertificate"}
        assert await srv.bus.call(CP, "ExtendedTriggerMessage", trigger, 10) == {
            "status": "Accepted"
        }
        await asyncio.wait_for(cp.signed.wait(), 10)
        assert cp.csr_answers == ["Accepted"]
        await until(lambda: certificates_of(db)[-1].status == CertificateStatus.ACCEPTED)
        change = {"key": "SecurityProfile", "value": "3"}
        assert await srv.bus.call(CP, "ChangeConfiguration", change, 10) == {"status": "Accepted"}
        assert cp.chain is not None and cp.key is not None
        return cp.chain, cp.key


async def test_upgrade_path_1_2_3_and_no_way_back(tls_node, db):
    srv, keys = tls_node
    ws_url, wss_url = urls(srv)
    await _profile_1_to_2(srv, keys)
    assert profile_of(db) == 1  # nothing changes until the charger comes back on profile 2

    chain, key = await _profile_2_to_3(srv, keys, db)
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401  # profile 1: refused now

    # Profile 3: the client certificate is the identity; no password is sent.
    async with link(wss_url, CP, None, keys.client_context(chain, key)) as cp:
        assert (await cp.call(BOOT)).status == "Accepted"
        assert profile_of(db) == 3
    assert await refused(wss_url, CP, CHARGER_PASSWORD, keys.client_context()) == 401
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401

    installed, signed = certificates_of(db)
    assert installed.kind == "CentralSystemRootCertificate"
    assert installed.status == CertificateStatus.INSTALLED
    assert installed.serial_number == format(keys.root.serial_number, "x")
    facts = certificate_facts(chain)
    assert signed.kind == "ChargePointCertificate" and signed.status == CertificateStatus.ACCEPTED
    assert signed.serial_number == facts.serial_number and facts.common_name == CP
    assert signed.subject == f"CN={CP}" and signed.not_after == facts.not_after
    assert 364 <= (facts.not_after - facts.not_before).days <= 366


async def test_operator_may_lower_a_profile_outside_ocpp(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    await asyncio.to_thread(srv.security.set_profile, CP, 2)
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401
    await asyncio.to_thread(srv.security.set_profile, CP, 1)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        assert (await cp.call(call.Heartbeat())).current_time


async def test_profile_3_certificate_must_name_the_charger(tls_node, db):
    srv, keys = tls_node
    _, wss_url = urls(srv)
    csr_pem, key = pki.csr("CP-LYON-002")
    chain = await asyncio.to_thread(srv.security.authority().sign, csr_pem, 5)
    # A valid certificate of another charger: refused, whatever the path says.
    context = keys.client_context(chain, key)
    assert await refused(wss_url, CP, CHARGER_PASSWORD, context) == 403
    async with link(wss_url, "CP-LYON-002", None, keys.client_context(chain, key)) as cp:
        assert (await cp.call(BOOT)).status == "Accepted"
    assert profile_of(db, "CP-LYON-002") == 3


async def test_certificate_from_another_ca_fails_the_tls_handshake(tls_node):
    srv, keys = tls_node
    _, wss_url = urls(srv)
    chain, key = keys.foreign_client(CP)  # signed by the CSMS root, not the charger CA
    failures = (ssl.SSLError, OSError, websockets.ConnectionClosed, InvalidHandshake)
    with pytest.raises(failures):
        async with link(wss_url, CP, None, keys.client_context(chain, key)) as cp:
            await cp.call(call.Heartbeat())


async def test_refused_csr_is_kept_with_its_reason(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        weak, _ = pki.csr(CP, pki.rsa.generate_private_key(public_exponent=65537, key_size=1024))
        answer = await cp.call(call.SignCertificate(csr=weak))
        assert answer.status == "Rejected"
        other, _ = pki.csr("CP-SOMEONE-ELSE")
        assert (await cp.call(call.SignCertificate(csr=other))).status == "Rejected"
    weak_row, other_row = certificates_of(db)
    assert weak_row.status == other_row.status == CertificateStatus.REFUSED
    assert "1024" in weak_row.reason and "CP-SOMEONE-ELSE" in other_row.reason


async def test_authorization_key_becomes_the_password_and_is_never_stored(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD, cls=SecureCharger):
        change = {"key": "AuthorizationKey", "value": "a-new-key-of-the-charger"}
        assert await srv.bus.call(CP, "ChangeConfiguration", change, 10) == {"status": "Accepted"}
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401
    async with link(ws_url, CP, "a-new-key-of-the-charger") as cp:
        assert (await cp.call(call.Heartbeat())).current_time
    with db.sessions() as s:
        stored = s.scalar(
            select(ChargerCommand.payload).where(ChargerCommand.action == "ChangeConfiguration")
        )
    assert stored == {"key": "AuthorizationKey", "value": "********"}
