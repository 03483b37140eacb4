"""Certificate records kept in step with what chargers accepted (inside a caller's transaction)."""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobility.models import CertificateStatus, Charger, ChargerCertificate
from ocpp_server.security.ca import CertificateFacts, certificate_facts, serial_hex
from ocpp_server.security.events import (
    CertificateDeleted,
    CertificateInstalled,
    CertificateSignedAnswer,
    ChargerPasswordChanged,
    SecurityEffect,
)

log = logging.getLogger(__name__)


def describe(row: ChargerCertificate, facts: CertificateFacts) -> None:
    """Copy a certificate's identity and validity onto its record."""
    row.serial_number = facts.serial_number
    row.subject, row.issuer = facts.subject[:400], facts.issuer[:400]
    row.not_before, row.not_after = facts.not_before, facts.not_after


def apply(s: Session, charger_id: int, effect: SecurityEffect) -> None:
    """Record what an accepted (or refused) security command changed on the charger."""
    if isinstance(effect, ChargerPasswordChanged):
        s.execute(
            update(Charger).where(Charger.id == charger_id).values(password_hash=effect.digest)
        )
        return
    if isinstance(effect, CertificateDeleted):
        _deleted(s, charger_id, effect.serial_number)
        return
    pem = effect.chain if isinstance(effect, CertificateSignedAnswer) else effect.pem
    try:
        facts = certificate_facts(pem)
    except ValueError:
        log.warning("charger %s: certificate answer with an unreadable PEM kept as is", charger_id)
        return
    if isinstance(effect, CertificateSignedAnswer):
        _signed(s, charger_id, effect, facts)
    else:
        _installed(s, charger_id, effect, facts)


def _by_serial(s: Session, charger_id: int, serial: str) -> ChargerCertificate | None:
    return s.scalar(
        select(ChargerCertificate)
        .where(
            ChargerCertificate.charger_id == charger_id,
            ChargerCertificate.serial_number == serial,
        )
        .order_by(ChargerCertificate.id.desc())
        .limit(1)
    )


def _signed(
    s: Session, charger_id: int, answer: CertificateSignedAnswer, facts: CertificateFacts
) -> None:
    """CertificateSigned answered: our issued row, else the CSR an external CA answered."""
    row = _by_serial(s, charger_id, facts.serial_number) or s.scalar(
        select(ChargerCertificate)
        .where(
            ChargerCertificate.charger_id == charger_id,
            ChargerCertificate.status == CertificateStatus.REQUESTED,
        )
        .order_by(ChargerCertificate.id.desc())
        .limit(1)
    )
    if row is None:
        row = ChargerCertificate(charger_id=charger_id, kind=answer.kind)
        s.add(row)
    describe(row, facts)
    row.pem = answer.chain
    if not answer.accepted:
        row.status, row.reason = CertificateStatus.REJECTED, "refused by the charger"
        return
    row.status = CertificateStatus.ACCEPTED
    s.flush()
    s.execute(
        update(ChargerCertificate)
        .where(
            ChargerCertificate.charger_id == charger_id,
            ChargerCertificate.kind == row.kind,
            ChargerCertificate.status == CertificateStatus.ACCEPTED,
            ChargerCertificate.id != row.id,
        )
        .values(status=CertificateStatus.SUPERSEDED)
    )


def _installed(
    s: Session, charger_id: int, installed: CertificateInstalled, facts: CertificateFacts
) -> None:
    row = _by_serial(s, charger_id, facts.serial_number)
    if row is None:
        row = ChargerCertificate(charger_id=charger_id, kind=installed.kind)
        s.add(row)
    describe(row, facts)
    row.pem, row.status = installed.pem, CertificateStatus.INSTALLED


def _deleted(s: Session, charger_id: int, serial: str) -> None:
    try:
        wanted = serial_hex(serial)
    except ValueError:
        return
    s.execute(
        update(ChargerCertificate)
        .where(
            ChargerCertificate.charger_id == charger_id,
            ChargerCertificate.serial_number == wanted,
            ChargerCertificate.status.in_(
                (CertificateStatus.INSTALLED, CertificateStatus.ACCEPTED)
            ),
        )
        .values(status=CertificateStatus.DELETED)
    )
