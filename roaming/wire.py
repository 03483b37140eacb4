"""OCPI 2.2.1 transport and format, pure: timestamps, numbers, the envelope, token headers."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

VERSION = "2.2.1"

# OCPI status codes (status_codes.asciidoc).
SUCCESS = 1000
CLIENT_ERROR = 2000
INVALID_PARAMETERS = 2001
NOT_ENOUGH_INFORMATION = 2002
UNKNOWN_LOCATION = 2003
UNKNOWN_TOKEN = 2004
SERVER_ERROR = 3000
CLIENT_API_UNUSABLE = 3001
UNSUPPORTED_VERSION = 3002
NO_MATCHING_ENDPOINTS = 3003


class OcpiError(Exception):
    """A request we refuse: an OCPI status code, the HTTP status it travels with, a message."""

    def __init__(self, status_code: int, message: str, http_status: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.http_status = http_status


def ocpi_time(moment: datetime) -> str:
    """An OCPI DateTime: RFC 3339 in UTC with a Z, whole seconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str, field: str) -> datetime:
    """An OCPI DateTime (no zone designator means UTC, as the spec says)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        raise OcpiError(INVALID_PARAMETERS, f"{field} is not an RFC 3339 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def number(value: Decimal | int) -> int | float:
    """A JSON number for a decimal (JSON has no decimals; its shortest float repr keeps them)."""
    if isinstance(value, int) or value == value.to_integral_value():
        return int(value)
    return float(value)


def envelope(data: Any = None, status_code: int = SUCCESS, message: str | None = None) -> Any:
    """The OCPI response format around `data` (absent when None)."""
    body: dict[str, Any] = {}
    if data is not None:
        body["data"] = data
    body["status_code"] = status_code
    if message:
        body["status_message"] = message
    body["timestamp"] = ocpi_time(datetime.now(UTC))
    return body


def authorization_header(token: str) -> str:
    """The 2.2.1 Authorization header: 'Token ' + base64 of the credentials token."""
    return "Token " + base64.b64encode(token.encode()).decode()


def presented_tokens(header: str | None) -> list[str]:
    """Credentials tokens an Authorization header may carry: base64 (2.2.1) first, then as is.

    2.1.1 and early 2.2 parties send the token unencoded (the spec's note); we accept both.
    """
    if not header or not header.startswith("Token "):
        return []
    raw = header[len("Token ") :].strip()
    if not raw:
        return []
    found = []
    try:
        decoded = base64.b64decode(raw, validate=True).decode().strip()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if decoded and decoded.isprintable() and " " not in decoded:
        found.append(decoded)
    found.append(raw)
    return found
