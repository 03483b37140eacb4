"""What chargers report about security and what accepted security commands change. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Client certificates the CSMS signs, per protocol: 1.6 (whitepaper) and 2.0.1 names.
CHARGE_POINT_CERTIFICATE = "ChargePointCertificate"
CHARGING_STATION_CERTIFICATE = "ChargingStationCertificate"
CLIENT_CERTIFICATES = (CHARGE_POINT_CERTIFICATE, CHARGING_STATION_CERTIFICATE)


@dataclass(frozen=True)
class SecurityEventReport:
    """A SecurityEventNotification, whatever the version."""

    type: str
    timestamp: datetime
    tech_info: str | None = None


@dataclass(frozen=True)
class SigningOutcome:
    """The CSMS's answer to a SignCertificate: accepted or not, and what to deliver."""

    accepted: bool
    certificate_id: int | None = None
    chain: str | None = None  # signed by the internal CA: sent with CertificateSigned
    reason: str | None = None


@dataclass(frozen=True)
class CertificateSignedAnswer:
    """The charger's answer to CertificateSigned, with the chain it was sent."""

    kind: str
    chain: str
    accepted: bool


@dataclass(frozen=True)
class CertificateInstalled:
    """A root certificate the charger accepted with InstallCertificate."""

    kind: str
    pem: str


@dataclass(frozen=True)
class CertificateDeleted:
    """A certificate the charger removed (DeleteCertificate Accepted), by serial number."""

    serial_number: str


@dataclass(frozen=True)
class ChargerPasswordChanged:
    """The charger took a new HTTP Basic password (1.6 AuthorizationKey, 2.0.1 SecurityCtrlr)."""

    digest: str


SecurityEffect = (
    CertificateSignedAnswer | CertificateInstalled | CertificateDeleted | ChargerPasswordChanged
)
