"""OCPP 2.0.1 security block: thin handlers, certificate and network commands, their effects."""

from __future__ import annotations

from typing import Any

from ocpp.routing import after, on
from ocpp.v201 import call_result
from ocpp.v201.enums import Action

from mobility.security import token_digest
from ocpp_server.events import CommandEffect
from ocpp_server.security.delivery import deliver
from ocpp_server.security.events import (
    CHARGING_STATION_CERTIFICATE,
    CertificateDeleted,
    CertificateInstalled,
    CertificateSignedAnswer,
    ChargerPasswordChanged,
    SecurityEventReport,
)
from ocpp_server.security.rules import is_password_variable
from ocpp_server.session import CommandSession
from ocpp_server.v201 import translate

COMMANDS: tuple[str, ...] = (
    "CertificateSigned",
    "InstallCertificate",
    "GetInstalledCertificateIds",
    "DeleteCertificate",
    "SetNetworkProfile",
)
# Asks the station for a new CSR (its certificate is about to expire).
CERTIFICATE_RENEWAL = ("TriggerMessage", {"requestedMessage": "SignChargingStationCertificate"})
_TAKEN = ("Accepted", "RebootRequired")


def effects(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """What an answered security command changes in our records (camelCase, as sent)."""
    accepted = answer.get("status") == "Accepted"
    if action == "CertificateSigned":
        kind = str(payload.get("certificateType") or CHARGING_STATION_CERTIFICATE)
        return [CertificateSignedAnswer(kind, str(payload["certificateChain"]), accepted)]
    if action == "InstallCertificate" and accepted:
        return [CertificateInstalled(str(payload["certificateType"]), str(payload["certificate"]))]
    if action == "DeleteCertificate" and accepted:
        return [CertificateDeleted(str(payload["certificateHashData"]["serialNumber"]))]
    if action == "SetVariables":
        return _password_changes(payload, answer)
    return []


def _password_changes(payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """SecurityCtrlr.BasicAuthPassword set and taken: the station's next Basic password."""
    taken = {
        _key(r) for r in answer.get("setVariableResult") or [] if r.get("attributeStatus") in _TAKEN
    }
    return [
        ChargerPasswordChanged(token_digest(str(d.get("attributeValue"))))
        for d in payload.get("setVariableData") or []
        if is_password_variable(d) and _key(d) in taken
    ]


def _key(data: dict[str, Any]) -> tuple[Any, Any, Any]:
    component, variable = data.get("component") or {}, data.get("variable") or {}
    return component.get("name"), variable.get("name"), data.get("attributeType") or "Actual"


class SecurityHandlers201(CommandSession):
    """Station-initiated security messages of 2.0.1; mixed into the 2.0.1 station session."""

    @on(Action.security_event_notification)
    async def on_security_event(self, type: str, **payload: Any) -> Any:
        report = SecurityEventReport(
            type, translate.timestamp(payload.get("timestamp")), payload.get("tech_info")
        )
        await self._db(self.node.security.record_event, self.id, report)
        return call_result.SecurityEventNotification()

    @on(Action.sign_certificate)
    async def on_sign_certificate(self, csr: str, **payload: Any) -> Any:
        kind = str(payload.get("certificate_type") or CHARGING_STATION_CERTIFICATE)
        outcome = await self._db(self.node.security.sign_request, self.id, kind, csr)
        status = "Accepted" if outcome.accepted else "Rejected"
        info = None if outcome.reason is None else {"reason_code": "InvalidCSR"}
        return call_result.SignCertificate(status=status, status_info=info)

    @after(Action.sign_certificate)
    async def after_sign_certificate(self, csr: str, **payload: Any) -> None:
        # Sent once the SignCertificateResponse is out (the signed row committed before it).
        chain = await self._db(self.node.security.issued_chain, self.id, csr)
        if chain is not None:
            kind = str(payload.get("certificate_type") or CHARGING_STATION_CERTIFICATE)
            body = {"certificateChain": chain, "certificateType": kind}
            await deliver(self.id, self.send_command, body)
