"""The CSMS-run certificate authority for chargers (the `cryptography` library), and PEM reading.

The CA key and certificate live in files named by the settings; the demo's are generated on
first use. With an external CA the CSMS only reads certificates and keeps CSRs.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mobility.clock import utcnow
from ocpp_server.security.rules import CsrFacts

SigningKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
CA_YEARS = 10
BACKDATE = timedelta(minutes=5)  # tolerate chargers whose clock runs a little behind


@dataclass(frozen=True)
class CertificateFacts:
    """The identity of a certificate as stored and matched (serial in OCPP's hex form)."""

    serial_number: str
    subject: str
    issuer: str
    common_name: str | None
    not_before: datetime
    not_after: datetime


def serial_hex(serial: int | str) -> str:
    """OCPP's serial number form: hexadecimal, lower case, no leading zeroes."""
    value = serial if isinstance(serial, int) else int(str(serial), 16)
    return format(value, "x")


def _common_name(name: x509.Name) -> str | None:
    found = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(found[0].value) if found else None


def csr_facts(csr_pem: str) -> CsrFacts:
    """What a PEM CSR says (ValueError when it cannot be read)."""
    csr = x509.load_pem_x509_csr(csr_pem.encode())
    key = csr.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        kind, bits = "RSA", key.key_size
    elif isinstance(key, ec.EllipticCurvePublicKey):
        kind, bits = "EC", key.curve.key_size
    else:
        kind, bits = type(key).__name__, 0
    return CsrFacts(_common_name(csr.subject), kind, bits, csr.is_signature_valid)


def certificate_facts(pem: str) -> CertificateFacts:
    """Serial, names and validity of the first certificate in a PEM text (ValueError if none)."""
    cert = x509.load_pem_x509_certificate(pem.encode())
    return CertificateFacts(
        serial_number=serial_hex(cert.serial_number),
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        common_name=_common_name(cert.subject),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )


class CertificateAuthority:
    """Signs chargers' CSRs with the CSMS's CA key."""

    def __init__(self, certificate: x509.Certificate, key: SigningKey) -> None:
        self.certificate = certificate
        self._key = key

    @classmethod
    def load_or_create(cls, cert_path: str, key_path: str, name: str) -> CertificateAuthority:
        """The CA in these files; a new one is written there when neither file exists."""
        cert_file, key_file = Path(cert_path), Path(key_path)
        if not cert_file.exists() and not key_file.exists():
            _write_new_ca(cert_file, key_file, name)
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
            raise ValueError(f"{key_path}: the CA key must be an RSA or elliptic curve key")
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        return cls(cert, key)

    @property
    def certificate_pem(self) -> str:
        """The CA certificate (what chargers and TLS servers trust)."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()

    def sign(self, csr_pem: str, days: int) -> str:
        """A client certificate for a validated CSR, chained with the CA (PEM)."""
        csr = x509.load_pem_x509_csr(csr_pem.encode())
        now = utcnow()
        ca_key_id = x509.SubjectKeyIdentifier.from_public_key(self._key.public_key())
        cert = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.certificate.subject)
            .public_key(csr.public_key())
            .serial_number(int.from_bytes(secrets.token_bytes(16), "big") >> 1)
            .not_valid_before(now - BACKDATE)
            .not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_key_id),
                critical=False,
            )
            .sign(self._key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM).decode() + self.certificate_pem


_CA_KEY_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=True,
    crl_sign=True,
    encipher_only=False,
    decipher_only=False,
)


def _write_new_ca(cert_file: Path, key_file: Path, name: str) -> None:
    """A new self-signed CA (elliptic curve P-256), its key readable by this user only."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_CA_KEY_USAGE, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    cert_file.parent.mkdir(parents=True, exist_ok=True)
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem_key)
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
