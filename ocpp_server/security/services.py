"""Security use cases: events, certificate signing, renewal and profiles (one transaction each).

Adapters call these from worker threads. A signed certificate is stored as `issued` before the
charger is told anything; it is delivered (CertificateSigned) after commit, and a job delivers
again whatever a crash or a timeout left `issued`.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database, rowcount
from mobility.errors import NotFound, ValidationFailed
from mobility.mail import MAIL_KIND, mail_intent
from mobility.models import (
    CertificateStatus,
    Charger,
    ChargerCertificate,
    SecurityEvent,
    User,
    UserRole,
)
from mobility.outbox import Outbox
from ocpp_server.security import certificates, rules
from ocpp_server.security.ca import CertificateAuthority, certificate_facts, csr_facts
from ocpp_server.security.events import (
    CLIENT_CERTIFICATES,
    SecurityEffect,
    SecurityEventReport,
    SigningOutcome,
)

log = logging.getLogger(__name__)
RENEWAL_RETRY = timedelta(days=1)  # ask a charger for a new CSR at most this often
DELIVERY_GRACE = timedelta(minutes=2)  # an issued certificate is resent after this long


@dataclass(frozen=True)
class Due:
    """A certificate a job acts on, with its charger's id and OCPP version."""

    certificate_id: int
    charge_point_id: str
    ocpp_version: str | None
    pem: str | None = None


def charger_pk(s: Session, cp_id: str) -> int:
    """The row id of a charger, or NotFound."""
    found = s.scalar(select(Charger.id).where(Charger.charge_point_id == cp_id))
    if found is None:
        raise NotFound(f"Unknown charger {cp_id}.")
    return found


class SecurityService:
    """Chargers' security events, certificates and security profiles."""

    def __init__(self, db: Database, settings: Settings, outbox: Outbox) -> None:
        self.db = db
        self.settings = settings
        self.outbox = outbox
        self._authority: CertificateAuthority | None = None
        self._lock = threading.Lock()

    # -- the certificate authority ----------------------------------------------------------
    @property
    def internal_ca(self) -> bool:
        """Whether the CSMS signs chargers' certificates itself."""
        return self.settings.ocpp_ca == "internal"

    def authority(self) -> CertificateAuthority:
        """The internal CA, loaded (or created, for the demo) on first use."""
        with self._lock:
            if self._authority is None:
                s = self.settings
                self._authority = CertificateAuthority.load_or_create(
                    s.ocpp_ca_cert, s.ocpp_ca_key, s.ocpp_ca_name
                )
            return self._authority

    def client_ca_file(self) -> str | None:
        """The CA file TLS trusts for chargers' certificates (None: no security profile 3)."""
        if self.settings.ocpp_tls_client_ca:
            return self.settings.ocpp_tls_client_ca
        if self.internal_ca:
            self.authority()  # the file exists from here on
            return self.settings.ocpp_ca_cert
        return None

    # -- security events --------------------------------------------------------------------
    def record_event(self, cp_id: str, report: SecurityEventReport) -> bool:
        """Store a security event once (replays change nothing); True when it is critical.

        A critical event alerts the operator: a flagged row until acknowledged, and a mail
        sent after commit.
        """
        with self.db.transaction() as s:
            pk = charger_pk(s, cp_id)
            found = s.scalar(
                select(SecurityEvent).where(
                    SecurityEvent.charger_id == pk,
                    SecurityEvent.type == report.type,
                    SecurityEvent.timestamp == report.timestamp,
                )
            )
            if found is not None:
                return found.critical
            event = SecurityEvent(
                charger_id=pk,
                type=report.type[:50],
                timestamp=report.timestamp,
                tech_info=report.tech_info[:255] if report.tech_info else None,
                critical=rules.is_critical(report.type),
            )
            s.add(event)
            s.flush()
            if event.critical:
                self._alert(s, cp_id, event)
            return event.critical

    def _alert(self, s: Session, cp_id: str, event: SecurityEvent) -> None:
        recipients = (
            [self.settings.security_alert_mail] if self.settings.security_alert_mail else []
        )
        if not recipients:
            recipients = list(
                s.scalars(
                    select(User.email).where(
                        User.role == UserRole.OPERATOR, User.is_active.is_(True)
                    )
                )
            )
        subject = f"Critical security event on charger {cp_id}: {event.type}"
        body = (
            f"Charger {cp_id} reported {event.type} at {event.timestamp.isoformat()}.\n"
            f"Details: {event.tech_info or '-'}\n"
            f"Acknowledge it in the operator API (security event {event.id})."
        )
        for to in recipients:
            key = f"mail:security-event:{event.id}:{to}"
            self.outbox.record(s, MAIL_KIND, key, mail_intent(to, subject, body))

    def acknowledge(self, event_id: int, user_id: int | None) -> None:
        """An operator has seen a security event (the first acknowledgement is kept)."""
        with self.db.transaction() as s:
            event = s.get(SecurityEvent, event_id)
            if event is None:
                raise NotFound(f"No security event {event_id}.")
            if event.acknowledged_at is None:
                event.acknowledged_at, event.acknowledged_by_id = utcnow(), user_id

    # -- certificates -----------------------------------------------------------------------
    def sign_request(self, cp_id: str, kind: str, csr: str) -> SigningOutcome:
        """A charger's CSR: refused, kept for an external CA, or signed and kept as issued."""
        refusal = self._csr_refusal(cp_id, kind, csr)
        chain = None
        if refusal is None and self.internal_ca:
            chain = self.authority().sign(csr, self.settings.charger_cert_days)
        with self.db.transaction() as s:
            row = ChargerCertificate(charger_id=charger_pk(s, cp_id), kind=kind, csr=csr)
            if refusal is not None:
                row.status, row.reason = CertificateStatus.REFUSED, refusal[:200]
            elif chain is None:
                row.status = CertificateStatus.REQUESTED
            else:
                row.status, row.pem = CertificateStatus.ISSUED, chain
                certificates.describe(row, certificate_facts(chain))
            s.add(row)
            s.flush()
            if refusal is not None:
                log.warning("%s: CSR refused: %s", cp_id, refusal)
            return SigningOutcome(refusal is None, row.id, chain, refusal)

    def issued_chain(self, cp_id: str, csr: str) -> str | None:
        """The chain signed for this CSR that the charger has not accepted yet, if any."""
        with self.db.sessions() as s:
            return s.scalar(
                select(ChargerCertificate.pem)
                .join(Charger, Charger.id == ChargerCertificate.charger_id)
                .where(
                    Charger.charge_point_id == cp_id,
                    ChargerCertificate.csr == csr,
                    ChargerCertificate.status == CertificateStatus.ISSUED,
                )
                .order_by(ChargerCertificate.id.desc())
                .limit(1)
            )

    @staticmethod
    def _csr_refusal(cp_id: str, kind: str, csr: str) -> str | None:
        if kind not in CLIENT_CERTIFICATES:
            return f"{kind} is not signed by this CSMS"
        try:
            facts = csr_facts(csr)
        except ValueError:
            return "CSR cannot be read"
        return rules.csr_refusal(facts, cp_id)

    def due_for_renewal(self) -> list[Due]:
        """Accepted client certificates of online chargers expiring within the renewal window."""
        now = utcnow()
        window = timedelta(days=self.settings.charger_cert_renew_days)
        with self.db.sessions() as s:
            rows = s.execute(
                select(ChargerCertificate, Charger.charge_point_id, Charger.ocpp_version)
                .join(Charger, Charger.id == ChargerCertificate.charger_id)
                .where(
                    ChargerCertificate.status == CertificateStatus.ACCEPTED,
                    ChargerCertificate.kind.in_(CLIENT_CERTIFICATES),
                    ChargerCertificate.not_after.is_not(None),
                    Charger.is_online.is_(True),
                )
            ).all()
            return [
                Due(cert.id, cp_id, version)
                for cert, cp_id, version in rows
                if cert.not_after is not None
                and rules.renewal_due(cert.not_after, now, window)
                and (
                    cert.renewal_requested_at is None
                    or cert.renewal_requested_at < now - RENEWAL_RETRY
                )
            ]

    def renewal_requested(self, certificate_id: int) -> None:
        """The charger was asked for a new CSR (not again before RENEWAL_RETRY)."""
        with self.db.transaction() as s:
            s.execute(
                update(ChargerCertificate)
                .where(ChargerCertificate.id == certificate_id)
                .values(renewal_requested_at=utcnow())
            )

    def undelivered(self) -> list[Due]:
        """Certificates signed a while ago that their (online) charger has not accepted yet."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(
                    ChargerCertificate.id,
                    Charger.charge_point_id,
                    Charger.ocpp_version,
                    ChargerCertificate.pem,
                )
                .join(Charger, Charger.id == ChargerCertificate.charger_id)
                .where(
                    ChargerCertificate.status == CertificateStatus.ISSUED,
                    ChargerCertificate.updated_at < utcnow() - DELIVERY_GRACE,
                    Charger.is_online.is_(True),
                )
            ).all()
            return [Due(*row) for row in rows]

    # -- security profiles ------------------------------------------------------------------
    def set_profile(self, cp_id: str, profile: int) -> None:
        """The operator's choice of a charger's security profile (may lower it, OCPP may not)."""
        if profile not in rules.PROFILES:
            raise ValidationFailed("The security profile is 1, 2 or 3.", field="profile")
        with self.db.transaction() as s:
            changed = rowcount(
                s.execute(
                    update(Charger)
                    .where(Charger.charge_point_id == cp_id)
                    .values(security_profile=profile)
                )
            )
            if not changed:
                raise NotFound(f"No charger {cp_id}.")


def apply_effect(s: Session, charger_id: int, effect: SecurityEffect) -> None:
    """Mirror an accepted security command in our records (inside the command's transaction)."""
    certificates.apply(s, charger_id, effect)
