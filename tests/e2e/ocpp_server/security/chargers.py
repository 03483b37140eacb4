"""A simulated 1.6 charger implementing the security whitepaper, and a link over ws or wss."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from collections.abc import AsyncIterator
from typing import Any

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201
from sqlalchemy import select
from websockets.exceptions import InvalidStatus

from mobility.models import Charger as ChargerRow
from mobility.models import ChargerCertificate
from ocpp_server.server import OcppServer
from tests.e2e.ocpp_server.conftest import Charger, basic
from tests.e2e.ocpp_server.station201 import Station
from tests.support import pki


def hash_data(pem_text: str) -> dict[str, str]:
    """OCPP CertificateHashData of a certificate (SHA256)."""
    cert = x509.load_pem_x509_certificate(pem_text.encode())
    issuer_key = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {
        "hash_algorithm": "SHA256",
        "issuer_name_hash": hashlib.sha256(cert.issuer.public_bytes()).hexdigest(),
        "issuer_key_hash": hashlib.sha256(issuer_key).hexdigest(),
        "serial_number": format(cert.serial_number, "x"),
    }


class SecureCharger(Charger):
    """Answers the whitepaper's commands like a real charger, and keeps what it was given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.configuration: dict[str, str] = {}
        self.installed: list[tuple[str, str]] = []
        self.key: pki.PrivateKey | None = None
        self.chain: str | None = None
        self.signed = asyncio.Event()
        self.csr_answers: list[str] = []

    async def request_certificate(self) -> str:
        """Send SignCertificate with a CSR naming this charger; the CSMS's answer status."""
        csr_pem, self.key = pki.csr(self.id)
        answer = await self.call(call.SignCertificate(csr=csr_pem))
        self.csr_answers.append(answer.status)
        return str(answer.status)

    @on(Action.change_configuration)
    async def on_change_configuration(self, key: str, value: str, **kw: Any) -> Any:
        self.configuration[key] = value
        return call_result.ChangeConfiguration(status="Accepted")

    @on(Action.install_certificate)
    async def on_install(self, certificate_type: str, certificate: str, **kw: Any) -> Any:
        self.installed.append((certificate_type, certificate))
        return call_result.InstallCertificate(status="Accepted")

    @on(Action.get_installed_certificate_ids)
    async def on_installed_ids(self, certificate_type: str, **kw: Any) -> Any:
        found = [hash_data(p) for kind, p in self.installed if kind == certificate_type]
        return call_result.GetInstalledCertificateIds(
            status="Accepted" if found else "NotFound", certificate_hash_data=found or None
        )

    @on(Action.delete_certificate)
    async def on_delete(self, certificate_hash_data: dict[str, Any], **kw: Any) -> Any:
        serial = certificate_hash_data["serial_number"]
        kept = [(k, p) for k, p in self.installed if hash_data(p)["serial_number"] != serial]
        status = "Accepted" if len(kept) < len(self.installed) else "NotFound"
        self.installed = kept
        return call_result.DeleteCertificate(status=status)

    @on(Action.extended_trigger_message)
    async def on_extended_trigger(self, requested_message: str, **kw: Any) -> Any:
        return call_result.ExtendedTriggerMessage(status="Accepted")

    @after(Action.extended_trigger_message)
    async def after_extended_trigger(self, requested_message: str, **kw: Any) -> None:
        if requested_message == "SignChargePointCertificate":
            await self.request_certificate()

    @on(Action.certificate_signed)
    async def on_certificate_signed(self, certificate_chain: str, **kw: Any) -> Any:
        self.chain = certificate_chain
        self.signed.set()
        return call_result.CertificateSigned(status="Accepted")

    @on(Action.get_log)
    async def on_get_log(self, request_id: int, **kw: Any) -> Any:
        return call_result.GetLog(status="Accepted", filename="security.log")

    @after(Action.get_log)
    async def after_get_log(self, request_id: int, **kw: Any) -> None:
        await self.call(call.LogStatusNotification(status="Uploading", request_id=request_id))

    @on(Action.signed_update_firmware)
    async def on_signed_update(self, request_id: int, **kw: Any) -> Any:
        return call_result.SignedUpdateFirmware(status="Accepted")

    @after(Action.signed_update_firmware)
    async def after_signed_update(self, request_id: int, **kw: Any) -> None:
        await self.call(
            call.SignedFirmwareStatusNotification(status="SignatureVerified", request_id=request_id)
        )


class SecureStation(Station):
    """A 2.0.1 station answering the security commands and keeping what it was given."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.network_profiles: list[dict[str, Any]] = []
        self.installed: list[tuple[str, str]] = []
        self.key: pki.PrivateKey | None = None
        self.chain: str | None = None
        self.signed = asyncio.Event()

    @on(Action201.trigger_message)
    async def on_trigger(self, requested_message: str, **kw: Any) -> Any:
        return result201.TriggerMessage(status="Accepted")

    @after(Action201.trigger_message)
    async def after_trigger(self, requested_message: str, **kw: Any) -> None:
        if requested_message == "SignChargingStationCertificate":
            csr_pem, self.key = pki.csr(self.id)
            await self.call(
                call201.SignCertificate(csr=csr_pem, certificate_type="ChargingStationCertificate")
            )

    @on(Action201.certificate_signed)
    async def on_certificate_signed(self, certificate_chain: str, **kw: Any) -> Any:
        self.chain = certificate_chain
        self.signed.set()
        return result201.CertificateSigned(status="Accepted")

    @on(Action201.install_certificate)
    async def on_install(self, certificate_type: str, certificate: str, **kw: Any) -> Any:
        self.installed.append((certificate_type, certificate))
        return result201.InstallCertificate(status="Accepted")

    @on(Action201.get_installed_certificate_ids)
    async def on_installed_ids(self, **kw: Any) -> Any:
        found = [
            {"certificate_type": k, "certificate_hash_data": hash_data(p)}
            for k, p in self.installed
        ]
        return result201.GetInstalledCertificateIds(
            status="Accepted", certificate_hash_data_chain=found or None
        )

    @on(Action201.delete_certificate)
    async def on_delete(self, certificate_hash_data: dict[str, Any], **kw: Any) -> Any:
        serial = certificate_hash_data["serial_number"]
        self.installed = [
            (k, p) for k, p in self.installed if hash_data(p)["serial_number"] != serial
        ]
        return result201.DeleteCertificate(status="Accepted")

    @on(Action201.set_network_profile)
    async def on_network_profile(self, connection_data: dict[str, Any], **kw: Any) -> Any:
        self.network_profiles.append(connection_data)
        return result201.SetNetworkProfile(status="Accepted")


@contextlib.asynccontextmanager
async def link(
    url: str,
    cp_id: str,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
    cls: Any = SecureCharger,
    subprotocol: str = "ocpp1.6",
) -> AsyncIterator[Any]:
    """A charger of class `cls` connected to `url`/<cp_id> and served until the block ends."""
    headers = basic(cp_id, password) if password is not None else {}
    async with websockets.connect(
        f"{url}/ocpp/{cp_id}", subprotocols=[subprotocol], additional_headers=headers, ssl=context
    ) as ws:
        cp = cls(cp_id, ws, response_timeout=10)
        task = asyncio.create_task(cp.start())
        try:
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


def urls(srv: OcppServer) -> tuple[str, str]:
    return f"ws://127.0.0.1:{srv.port}", f"wss://127.0.0.1:{srv.tls_port}"


def profile_of(db, cp_id: str = "CP-LYON-001") -> int:
    with db.sessions() as s:
        return s.scalar(
            select(ChargerRow.security_profile).where(ChargerRow.charge_point_id == cp_id)
        )


def certificates_of(db, cp_id: str = "CP-LYON-001") -> list[ChargerCertificate]:
    with db.sessions() as s:
        return list(
            s.scalars(
                select(ChargerCertificate)
                .join(ChargerRow, ChargerRow.id == ChargerCertificate.charger_id)
                .where(ChargerRow.charge_point_id == cp_id)
                .order_by(ChargerCertificate.id)
            )
        )


async def refused(url: str, cp_id: str, password: str | None, context=None) -> int:
    """The HTTP status a handshake is refused with."""
    with pytest.raises(InvalidStatus) as failure:
        async with link(url, cp_id, password, context):
            pass
    return failure.value.response.status_code


async def until(predicate, seconds: float = 10.0) -> None:
    """Wait for what the node records after answering (command outcomes are stored after)."""
    for _ in range(int(seconds / 0.05)):
        if await asyncio.to_thread(predicate):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")
