"""The 1.6 security whitepaper's messages and commands, and the certificate jobs, on a real node."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from ocpp.v16 import call
from sqlalchemy import select, update

from mobility.demo import CHARGER_PASSWORD
from mobility.models import (
    CertificateStatus,
    Charger,
    ChargerCertificate,
    ChargerEvent,
    SecurityEvent,
)
from ocpp_server.security_jobs import deliver_certificates, renew_certificates
from tests.e2e.ocpp_server.security.chargers import (
    certificates_of,
    hash_data,
    link,
    until,
    urls,
)
from tests.support import pki

CP = "CP-LYON-001"


def _charger(db) -> Charger:
    with db.sessions() as s:
        return s.scalar(select(Charger).where(Charger.charge_point_id == CP))


async def test_security_events_logs_and_signed_firmware_are_stored(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        await cp.call(
            call.SecurityEventNotification(
                type="ResetOrReboot", timestamp="2026-11-27T08:00:00Z", tech_info=None
            )
        )
        await cp.call(
            call.SecurityEventNotification(
                type="InvalidTLSVersion", timestamp="2026-11-27T08:00:01Z", tech_info="1.0"
            )
        )
        log_request = {
            "logType": "SecurityLog",
            "requestId": 11,
            "log": {"remoteLocation": "ftp://logs.example.org/"},
        }
        assert (await srv.bus.call(CP, "GetLog", log_request, 10))["filename"] == "security.log"
        firmware = {
            "requestId": 12,
            "firmware": {
                "location": "https://fw.example.org/1.2.bin",
                "retrieveDateTime": "2026-11-27T09:00:00Z",
                "signingCertificate": "-----BEGIN CERTIFICATE-----",
                "signature": "c2lnbmF0dXJl",
            },
        }
        assert await srv.bus.call(CP, "SignedUpdateFirmware", firmware, 10) == {
            "status": "Accepted"
        }
        await until(lambda: _charger(db).firmware_status == "SignatureVerified")
    charger = _charger(db)
    assert (charger.diagnostics_status, charger.firmware_status) == (
        "Uploading",
        "SignatureVerified",
    )
    with db.sessions() as s:
        kept = {e.action: e.payload for e in s.scalars(select(ChargerEvent))}
        events = {e.type: e.critical for e in s.scalars(select(SecurityEvent))}
    assert kept["LogStatusNotification"]["request_id"] == 11
    assert kept["SignedFirmwareStatusNotification"]["request_id"] == 12
    assert events == {"ResetOrReboot": True, "InvalidTLSVersion": False}


async def test_installed_certificates_are_listed_and_deleted(tls_node, db):
    srv, keys = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        root = {"certificateType": "ManufacturerRootCertificate", "certificate": keys.root_pem}
        await srv.bus.call(CP, "InstallCertificate", root, 10)
        listed = await srv.bus.call(
            CP, "GetInstalledCertificateIds", {"certificateType": "ManufacturerRootCertificate"}, 10
        )
        (data,) = listed["certificateHashData"]
        assert data["serialNumber"] == format(keys.root.serial_number, "x")
        assert cp.installed and certificates_of(db)[0].status == CertificateStatus.INSTALLED
        data = {
            "hashAlgorithm": "SHA256",
            **{k: v for k, v in data.items() if k != "hashAlgorithm"},
        }
        assert await srv.bus.call(CP, "DeleteCertificate", {"certificateHashData": data}, 10) == {
            "status": "Accepted"
        }
        assert cp.installed == []
    (row,) = certificates_of(db)
    assert row.status == CertificateStatus.DELETED and row.kind == "ManufacturerRootCertificate"
    assert hash_data(keys.root_pem)["serial_number"] == row.serial_number


async def test_expiring_certificate_is_renewed_by_the_job(tls_node, db):
    srv, keys = tls_node
    _, wss_url = urls(srv)
    async with link(wss_url, CP, CHARGER_PASSWORD, keys.client_context()) as cp:
        assert await cp.request_certificate() == "Accepted"
        await asyncio.wait_for(cp.signed.wait(), 10)
        await until(lambda: certificates_of(db)[0].status == CertificateStatus.ACCEPTED)
        await srv.presence.flush()  # the job only asks chargers that are online
        assert await asyncio.to_thread(renew_certificates, srv.security, srv.bus, 10) == 0
        soon = datetime.now(UTC) + timedelta(days=3)
        with db.transaction() as s:
            s.execute(update(ChargerCertificate).values(not_after=soon))
        cp.signed.clear()
        assert await asyncio.to_thread(renew_certificates, srv.security, srv.bus, 10) == 1
        await asyncio.wait_for(cp.signed.wait(), 10)
        await until(
            lambda: (
                len(certificates_of(db)) == 2
                and certificates_of(db)[1].status == CertificateStatus.ACCEPTED
            )
        )
        # Asked once: the next run leaves the charger alone while it renews.
        assert await asyncio.to_thread(renew_certificates, srv.security, srv.bus, 10) == 0
    old, new = certificates_of(db)
    assert old.status == CertificateStatus.SUPERSEDED and old.renewal_requested_at is not None
    assert new.not_after > soon


async def test_undelivered_certificate_is_sent_again_by_the_job(tls_node, db):
    srv, _ = tls_node
    ws_url, _ = urls(srv)
    async with link(ws_url, CP, CHARGER_PASSWORD) as cp:
        await srv.presence.flush()
        csr_pem, cp.key = pki.csr(CP)
        outcome = await asyncio.to_thread(
            srv.security.sign_request, CP, "ChargePointCertificate", csr_pem
        )
        assert outcome.accepted and cp.chain is None  # signed, but the charger never got it
        assert await asyncio.to_thread(deliver_certificates, srv.security, srv.bus, 10) == 0
        with db.transaction() as s:
            s.execute(
                update(ChargerCertificate).values(
                    updated_at=datetime.now(UTC) - timedelta(minutes=10)
                )
            )
        assert await asyncio.to_thread(deliver_certificates, srv.security, srv.bus, 10) == 1
        assert cp.chain == outcome.chain
    assert certificates_of(db)[0].status == CertificateStatus.ACCEPTED
