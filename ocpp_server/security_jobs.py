"""Periodic certificate jobs: renew chargers' certificates before expiry, deliver signed ones."""

from __future__ import annotations

import logging

from mobility.bus import CommandBus
from mobility.config import Settings
from mobility.errors import DomainError
from mobility.jobs import JobSpec
from ocpp_server import protocols
from ocpp_server.security.services import SecurityService

log = logging.getLogger(__name__)


def renew_certificates(security: SecurityService, bus: CommandBus, timeout: float) -> int:
    """Ask chargers whose certificate expires soon for a new CSR; how many were asked.

    1.6 chargers get ExtendedTriggerMessage(SignChargePointCertificate), 2.0.1 stations
    TriggerMessage(SignChargingStationCertificate); the CSR then follows the usual path.
    """
    asked = 0
    for due in security.due_for_renewal():
        action, payload = protocols.by_version(due.ocpp_version).certificate_renewal
        try:
            bus.call_sync(due.charge_point_id, action, payload, timeout)
        except DomainError as exc:  # offline, no answer, refused: asked again at the next run
            log.info("certificate renewal of %s not requested now: %s", due.charge_point_id, exc)
            continue
        security.renewal_requested(due.certificate_id)
        asked += 1
    return asked


def deliver_certificates(security: SecurityService, bus: CommandBus, timeout: float) -> int:
    """Send again signed certificates a charger has not accepted yet; how many were sent."""
    sent = 0
    for due in security.undelivered():
        try:
            bus.call_sync(
                due.charge_point_id, "CertificateSigned", {"certificateChain": due.pem}, timeout
            )
        except DomainError as exc:
            log.info("certificate for %s not delivered now: %s", due.charge_point_id, exc)
            continue
        sent += 1
    return sent


def jobs(security: SecurityService, bus: CommandBus, settings: Settings) -> list[JobSpec]:
    """The certificate jobs (each safe to run twice)."""
    timeout = settings.command_timeout
    return [
        JobSpec(
            "ocpp.renew_certificates",
            lambda: renew_certificates(security, bus, timeout),
            "interval",
            {"hours": 1},
        ),
        JobSpec(
            "ocpp.deliver_certificates",
            lambda: deliver_certificates(security, bus, timeout),
            "interval",
            {"minutes": 5},
        ),
    ]
