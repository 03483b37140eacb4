"""A simulated 1.6 charger implementing the security whitepaper, and a link over ws or wss."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ssl
from collections.abc import AsyncIterator
from typing import Any

import websockets
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from ocpp.routing import after, on
from ocpp.v16 import call, call_result
from ocpp.v16.enums import Action

from tests.e2e.ocpp_server.conftest import Charger, basic
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


@contextlib.asynccontextmanager
async def link(
    url: str,
    cp_id: str,
    password: str | None = None,
    context: ssl.SSLContext | None = None,
    cls: type[Charger] = SecureCharger,
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
