"""OCPP 2.0.1 security over real TLS: network profile, CSR signed, profile 3, events, passwords."""

from __future__ import annotations

import asyncio

from ocpp.v201 import call
from sqlalchemy import select

from mobility.demo import CHARGER_PASSWORD
from mobility.models import CertificateStatus, ChargerCommand, OutboxItem, SecurityEvent
from tests.e2e.ocpp_server.security.chargers import (
    SecureStation,
    certificates_of,
    link,
    profile_of,
    refused,
    until,
    urls,
)

CP = "CP-LYON-001"
BOOT = call.BootNotification(charging_station={"vendor_name": "V", "model": "M"}, reason="PowerUp")


def _network_profile(url: str) -> dict[str, object]:
    return {
        "configurationSlot": 1,
        "connectionData": {
            "ocppVersion": "OCPP20",
            "ocppTransport": "JSON",
            "ocppCsmsUrl": url,
            "messageTimeout": 30,
            "securityProfile": 3,
            "ocppInterface": "Wired0",
        },
    }


async def _certificate_over_profile_2(srv, keys, db) -> SecureStation:
    _, wss_url = urls(srv)
    async with link(
        wss_url, CP, CHARGER_PASSWORD, keys.client_context(), SecureStation, "ocpp2.0.1"
    ) as st:
        assert (await st.call(BOOT)).status == "Accepted"
        assert profile_of(db) == 2
        answer = await srv.bus.call(CP, "SetNetworkProfile", _network_profile(wss_url), 10)
        assert answer == {"status": "Accepted"}
        assert st.network_profiles[0]["security_profile"] == 3
        trigger = {"requestedMessage": "SignChargingStationCertificate"}
        assert await srv.bus.call(CP, "TriggerMessage", trigger, 10) == {"status": "Accepted"}
        await asyncio.wait_for(st.signed.wait(), 10)
        await until(lambda: certificates_of(db)[-1].status == CertificateStatus.ACCEPTED)
        return st


async def test_station_moves_to_profile_3_with_a_certificate_we_signed(tls_node, db):
    srv, keys = tls_node
    ws_url, wss_url = urls(srv)
    st = await _certificate_over_profile_2(srv, keys, db)
    (cert,) = certificates_of(db)
    assert cert.kind == "ChargingStationCertificate" and cert.subject == f"CN={CP}"
    context = keys.client_context(st.chain, st.key)
    async with link(wss_url, CP, None, context, SecureStation, "ocpp2.0.1") as again:
        assert (await again.call(BOOT)).status == "Accepted"
    assert profile_of(db) == 3
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401


async def test_critical_security_event_is_flagged_and_mailed_once(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    tamper = call.SecurityEventNotification(
        type="TamperDetectionActivated", timestamp="2026-11-27T10:00:00Z", tech_info="door"
    )
    async with link(ws_url, CP, CHARGER_PASSWORD, None, SecureStation, "ocpp2.0.1") as st:
        await st.call(tamper)
        await st.call(tamper)  # a replay after a reconnect: kept once
        await st.call(
            call.SecurityEventNotification(type="InvalidMessages", timestamp="2026-11-27T10:01:00Z")
        )
    with db.sessions() as s:
        events = {e.type: e for e in s.scalars(select(SecurityEvent))}
        mails = list(s.scalars(select(OutboxItem).where(OutboxItem.kind == "mail")))
    assert set(events) == {"TamperDetectionActivated", "InvalidMessages"}
    assert events["TamperDetectionActivated"].critical is True
    assert events["TamperDetectionActivated"].tech_info == "door"
    assert events["InvalidMessages"].critical is False
    assert len(mails) == 1 and mails[0].payload["to"] == "operator@example.org"
    assert "TamperDetectionActivated" in mails[0].payload["subject"]


async def test_basic_auth_password_set_by_variable_is_taken_and_redacted(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    password = {
        "component": {"name": "SecurityCtrlr"},
        "variable": {"name": "BasicAuthPassword"},
        "attributeValue": "station-secret-2027",
    }
    async with link(ws_url, CP, CHARGER_PASSWORD, None, SecureStation, "ocpp2.0.1"):
        await srv.bus.call(CP, "SetVariables", {"setVariableData": [password]}, 10)
    assert await refused(ws_url, CP, CHARGER_PASSWORD) == 401
    async with link(ws_url, CP, "station-secret-2027", None, SecureStation, "ocpp2.0.1") as st:
        assert (await st.call(call.Heartbeat())).current_time
    with db.sessions() as s:
        stored = s.scalar(
            select(ChargerCommand.payload).where(ChargerCommand.action == "SetVariables")
        )
    assert stored["setVariableData"][0]["attributeValue"] == "********"


async def test_station_root_certificates_installed_listed_and_deleted(tls_node, db):
    srv, keys = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD, None, SecureStation, "ocpp2.0.1") as st:
        root = {"certificateType": "CSMSRootCertificate", "certificate": keys.root_pem}
        assert await srv.bus.call(CP, "InstallCertificate", root, 10) == {"status": "Accepted"}
        listed = await srv.bus.call(CP, "GetInstalledCertificateIds", {}, 10)
        (entry,) = listed["certificateHashDataChain"]
        assert entry["certificateType"] == "CSMSRootCertificate"
        data = entry["certificateHashData"]
        assert certificates_of(db)[0].status == CertificateStatus.INSTALLED
        answer = await srv.bus.call(CP, "DeleteCertificate", {"certificateHashData": data}, 10)
        assert answer == {"status": "Accepted"} and st.installed == []
    (row,) = certificates_of(db)
    assert row.status == CertificateStatus.DELETED and row.kind == "CSMSRootCertificate"
