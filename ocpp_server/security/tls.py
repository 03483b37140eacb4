"""TLS for the OCPP listeners and the security profile a connection arrived with."""

from __future__ import annotations

import ssl
from typing import Any

from mobility.config import Settings


def server_context(settings: Settings, client_ca: str | None) -> ssl.SSLContext:
    """The wss:// server context: TLS 1.2+, and chargers' certificates checked when offered.

    With a client CA, a charger may present a certificate (security profile 3) or none
    (profile 2, HTTP Basic); a certificate that does not verify fails the TLS handshake.
    """
    if not settings.ocpp_tls_cert or not settings.ocpp_tls_key:
        raise ValueError("TLS needs OCPP_TLS_CERT and OCPP_TLS_KEY")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(settings.ocpp_tls_cert, settings.ocpp_tls_key)
    if client_ca:
        ctx.load_verify_locations(cafile=client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


def peer_common_name(certificate: dict[str, Any] | None) -> str | None:
    """The subject's common name of a verified peer certificate (`SSLSocket.getpeercert()`)."""
    for rdn in (certificate or {}).get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def connection_profile(transport: Any) -> tuple[int, str | None]:
    """The security profile of a connection and, for profile 3, its certificate's common name.

    Plain TCP: profile 1. TLS without a client certificate: 2. TLS with a verified one: 3.
    """
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return 1, None
    common_name = peer_common_name(ssl_object.getpeercert())
    if common_name is None:
        return 2, None
    return 3, common_name
