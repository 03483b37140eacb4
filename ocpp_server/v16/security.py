"""OCPP 1.6 security whitepaper (edition 3): thin handlers, commands and their effects."""

from __future__ import annotations

from typing import Any

from ocpp.routing import after, on
from ocpp.v16 import call_result
from ocpp.v16.enums import Action

from mobility.security import token_digest
from ocpp_server.events import CommandEffect
from ocpp_server.security.delivery import deliver
from ocpp_server.security.events import (
    CHARGE_POINT_CERTIFICATE,
    CertificateDeleted,
    CertificateInstalled,
    CertificateSignedAnswer,
    ChargerPasswordChanged,
    SecurityEventReport,
)
from ocpp_server.session import CommandSession
from ocpp_server.v16 import translate

COMMANDS: tuple[str, ...] = (
    "ExtendedTriggerMessage",
    "GetLog",
    "SignedUpdateFirmware",
    "InstallCertificate",
    "GetInstalledCertificateIds",
    "DeleteCertificate",
    "CertificateSigned",
)
# Asks the charger for a new CSR (its certificate is about to expire).
CERTIFICATE_RENEWAL = ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"})


def effects(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """What an answered security command changes in our records (camelCase, as sent)."""
    status = answer.get("status")
    accepted = status == "Accepted"
    if action == "CertificateSigned":
        chain = str(payload["certificateChain"])
        return [CertificateSignedAnswer(CHARGE_POINT_CERTIFICATE, chain, accepted)]
    if action == "InstallCertificate" and accepted:
        return [CertificateInstalled(str(payload["certificateType"]), str(payload["certificate"]))]
    if action == "DeleteCertificate" and accepted:
        return [CertificateDeleted(str(payload["certificateHashData"]["serialNumber"]))]
    if (
        action == "ChangeConfiguration"
        and status in ("Accepted", "RebootRequired")
        and payload.get("key") == "AuthorizationKey"
    ):
        # The charger's next HTTP Basic password (profiles 1-2) is the new key.
        return [ChargerPasswordChanged(token_digest(str(payload.get("value"))))]
    return []


class SecurityHandlers16(CommandSession):
    """Charger-initiated security messages of 1.6; mixed into the 1.6 charge point session."""

    @on(Action.security_event_notification)
    async def on_security_event(self, type: str, **payload: Any) -> Any:
        report = SecurityEventReport(
            type, translate.timestamp(payload.get("timestamp")), payload.get("tech_info")
        )
        await self._db(self.node.security.record_event, self.id, report)
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **_: Any) -> Any:
        security = self.node.security
        outcome = await self._db(security.sign_request, self.id, CHARGE_POINT_CERTIFICATE, csr)
        return call_result.SignCertificate(status="Accepted" if outcome.accepted else "Rejected")

    @after(Action.sign_certificate)
    async def after_sign_certificate(self, csr: str, **_: Any) -> None:
        # Sent once SignCertificate.conf is out (the signed row committed before it).
        chain = await self._db(self.node.security.issued_chain, self.id, csr)
        if chain is not None:
            await deliver(self.id, self.send_command, {"certificateChain": chain})

    @on(Action.log_status_notification)
    async def on_log_status(self, status: str, **payload: Any) -> Any:
        record = self.charging.record_diagnostics_status
        body = {"status": status, **payload}
        await self._db(record, self.id, status, body, "LogStatusNotification")
        return call_result.LogStatusNotification()

    @on(Action.signed_firmware_status_notification)
    async def on_signed_firmware_status(self, status: str, **payload: Any) -> Any:
        record = self.charging.record_firmware_status
        body = {"status": status, **payload}
        await self._db(record, self.id, status, body, "SignedFirmwareStatusNotification")
        return call_result.SignedFirmwareStatusNotification()
