"""OCPP security: chargers' certificates and the security events they report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mobility.clock import utcnow
from mobility.models.base import Base, IdMixin, TimestampMixin, one_of


class CertificateStatus(StrEnum):
    """Where a certificate stands between a charger's CSR and its replacement."""

    REQUESTED = "requested"  # CSR kept; an external CA has to sign it
    REFUSED = "refused"  # CSR not acceptable (identity, key strength, signature)
    ISSUED = "issued"  # signed by our CA, CertificateSigned not yet accepted by the charger
    ACCEPTED = "accepted"  # the charger took it (CertificateSigned Accepted)
    REJECTED = "rejected"  # the charger refused the signed certificate
    INSTALLED = "installed"  # a root certificate we installed on the charger
    SUPERSEDED = "superseded"  # a newer certificate of the same kind replaced it
    DELETED = "deleted"  # removed from the charger (DeleteCertificate Accepted)


class ChargerCertificate(IdMixin, TimestampMixin, Base):
    """A certificate of (or installed on) a charger: its identity and where it stands."""

    __tablename__ = "charger_certificates"
    __table_args__ = (
        Index("ix_charger_certificates_charger_kind", "charger_id", "kind"),
        Index("ix_charger_certificates_status_expiry", "status", "not_after"),
        one_of("status", CertificateStatus),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    # The protocol's certificate type: ChargePointCertificate (1.6), ChargingStationCertificate
    # (2.0.1), or a root installed with InstallCertificate (CentralSystemRootCertificate...).
    kind: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default=CertificateStatus.REQUESTED)
    serial_number: Mapped[str | None] = mapped_column(String(64))  # hex, as in OCPP hash data
    subject: Mapped[str | None] = mapped_column(String(400))
    issuer: Mapped[str | None] = mapped_column(String(400))
    not_before: Mapped[datetime | None]
    not_after: Mapped[datetime | None]
    csr: Mapped[str | None] = mapped_column(Text)
    pem: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(200))  # why refused or rejected
    renewal_requested_at: Mapped[datetime | None]


class SecurityEvent(IdMixin, Base):
    """A SecurityEventNotification; critical ones wait for an operator's acknowledgement."""

    __tablename__ = "charger_security_events"
    __table_args__ = (
        Index("ix_charger_security_events_charger_time", "charger_id", "timestamp"),
        Index("ix_charger_security_events_open", "critical", "acknowledged_at"),
        UniqueConstraint("charger_id", "type", "timestamp"),
    )

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(50))
    timestamp: Mapped[datetime]
    tech_info: Mapped[str | None] = mapped_column(String(255))
    critical: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
