"""Test certificates made with the `cryptography` library: a CSMS root, a server cert, CSRs."""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _builder(
    subject: str, issuer: x509.Name, public_key: object, days: int
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
    )


def csr(cp_id: str, key: PrivateKey | None = None) -> tuple[str, PrivateKey]:
    """A PEM CSR naming `cp_id` (a fresh P-256 key unless one is given) and its key."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    request = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(_name(cp_id))
        .sign(key, hashes.SHA256())
    )
    return request.public_bytes(serialization.Encoding.PEM).decode(), key


@dataclass
class Pki:
    """A CSMS root CA and a server certificate for 127.0.0.1, written under a folder."""

    folder: Path
    root: x509.Certificate
    root_key: ec.EllipticCurvePrivateKey

    @classmethod
    def make(cls, folder: Path) -> Pki:
        key = ec.generate_private_key(ec.SECP256R1())
        root = (
            _builder("Test CSMS root", _name("Test CSMS root"), key.public_key(), 30)
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .sign(key, hashes.SHA256())
        )
        pki = cls(folder, root, key)
        server_key = ec.generate_private_key(ec.SECP256R1())
        server = (
            _builder("127.0.0.1", root.subject, server_key.public_key(), 30)
            .add_extension(
                x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False,
            )
            .sign(key, hashes.SHA256())
        )
        folder.mkdir(parents=True, exist_ok=True)
        pki.root_file.write_text(pem(root))
        pki.server_cert.write_text(pem(server) + pem(root))
        pki.server_key.write_bytes(key_pem(server_key))
        return pki

    @property
    def root_file(self) -> Path:
        return self.folder / "csms-root.pem"

    @property
    def server_cert(self) -> Path:
        return self.folder / "server-cert.pem"

    @property
    def server_key(self) -> Path:
        return self.folder / "server-key.pem"

    @property
    def root_pem(self) -> str:
        return pem(self.root)

    def client_context(
        self, chain: str | None = None, key: PrivateKey | None = None
    ) -> ssl.SSLContext:
        """A charger's TLS context trusting the CSMS root; with a client certificate if given."""
        ctx = ssl.create_default_context(cafile=str(self.root_file))
        if chain is not None and key is not None:
            cert_file = self.folder / f"client-{abs(hash(chain))}.pem"
            key_file = self.folder / f"client-{abs(hash(chain))}.key"
            cert_file.write_text(chain)
            key_file.write_bytes(key_pem(key))
            ctx.load_cert_chain(str(cert_file), str(key_file))
        return ctx

    def foreign_client(self, cp_id: str) -> tuple[str, PrivateKey]:
        """A client certificate for `cp_id` signed by this root (not the charger CA)."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _builder(cp_id, self.root.subject, key.public_key(), 5).sign(
            self.root_key, hashes.SHA256()
        )
        return pem(cert), key
