"""Calls to a partner platform over HTTP (requests), its OCPI envelope checked."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests

from roaming.wire import SUCCESS, VERSION, authorization_header


class PartnerUnreachable(Exception):
    """The partner did not answer, answered an HTTP error, or refused in its envelope."""


@dataclass(frozen=True)
class Route:
    """Who calls whom (OCPI message routing headers of functional modules)."""

    from_country: str
    from_party: str
    to_country: str
    to_party: str

    def headers(self) -> dict[str, str]:
        """The OCPI-from/to headers."""
        return {
            "OCPI-from-country-code": self.from_country,
            "OCPI-from-party-id": self.from_party,
            "OCPI-to-country-code": self.to_country,
            "OCPI-to-party-id": self.to_party,
        }


class PartnerClient:
    """One call at a time to a partner, with its token B; never inside a DB transaction."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def call(
        self,
        method: str,
        url: str,
        token: str,
        body: dict[str, Any] | None = None,
        route: Route | None = None,
    ) -> Any:
        """Send one request; return the envelope's data (PartnerUnreachable otherwise)."""
        request_id = str(uuid.uuid4())
        headers = {
            "Authorization": authorization_header(token),
            "X-Request-ID": request_id,
            "X-Correlation-ID": request_id,
            **(route.headers() if route else {}),
        }
        try:
            answer = requests.request(method, url, json=body, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise PartnerUnreachable(f"{method} {url}: {exc}") from exc
        try:
            payload = answer.json()
        except ValueError:
            payload = None
        if answer.status_code >= 400 or not isinstance(payload, dict):
            raise PartnerUnreachable(f"{method} {url}: HTTP {answer.status_code}")
        if payload.get("status_code") != SUCCESS:
            raise PartnerUnreachable(
                f"{method} {url}: OCPI {payload.get('status_code')} {payload.get('status_message')}"
            )
        return payload.get("data")

    def endpoints(self, versions_url: str, token: str) -> tuple[str, list[dict[str, Any]]]:
        """The partner's 2.2.1 endpoints, read from its versions endpoint."""
        versions = self.call("GET", versions_url, token)
        chosen = next(
            (v for v in versions or [] if isinstance(v, dict) and v.get("version") == VERSION),
            None,
        )
        if chosen is None:
            raise PartnerUnreachable(f"the partner offers no OCPI {VERSION}")
        details = self.call("GET", str(chosen["url"]), token)
        endpoints = details.get("endpoints") if isinstance(details, dict) else None
        if not isinstance(endpoints, list):
            raise PartnerUnreachable("the partner's version details list no endpoints")
        return VERSION, [e for e in endpoints if isinstance(e, dict)]
