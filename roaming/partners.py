"""Credentials and registration (OCPI credentials module): token A, B and C per partner.

We are the Receiver of the handshake: the operator issues token A; the partner (Sender) POSTs
its credentials with token B; we read its endpoints with token B (outside any transaction)
and answer with token C, which it uses from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from mobility.clock import utcnow
from mobility.config import Settings
from mobility.db import Database
from mobility.models import PartnerStatus, RoamingPartner
from mobility.security import new_token, token_digest
from roaming.client import PartnerClient, PartnerUnreachable
from roaming.wire import CLIENT_API_UNUSABLE, CLIENT_ERROR, INVALID_PARAMETERS, OcpiError


@dataclass(frozen=True)
class Caller:
    """The partner behind a request, and whether it came with token C (registered) or A."""

    partner_id: int
    registered: bool
    country_code: str | None = None
    party_id: str | None = None


@dataclass(frozen=True)
class Offer:
    """A partner's credentials object, checked."""

    token: str
    url: str
    role: str
    country_code: str
    party_id: str
    business_details: dict[str, Any]


def read_offer(body: Any) -> Offer:
    """The partner's Credentials object (its eMSP role, else its first role)."""
    if not isinstance(body, dict):
        raise OcpiError(INVALID_PARAMETERS, "the body must be a Credentials object")
    token, url, roles = body.get("token"), body.get("url"), body.get("roles")
    if not isinstance(token, str) or not 0 < len(token) <= 64 or not token.isprintable():
        raise OcpiError(INVALID_PARAMETERS, "token must be up to 64 printable characters")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise OcpiError(INVALID_PARAMETERS, "url must be the partner's versions URL")
    if not isinstance(roles, list) or not roles or not all(isinstance(r, dict) for r in roles):
        raise OcpiError(INVALID_PARAMETERS, "roles must list at least one CredentialsRole")
    role = next((r for r in roles if r.get("role") == "EMSP"), roles[0])
    country, party = str(role.get("country_code", "")), str(role.get("party_id", ""))
    if len(country) != 2 or len(party) != 3:
        raise OcpiError(INVALID_PARAMETERS, "a role needs a 2-letter country_code and party_id")
    details = role.get("business_details")
    return Offer(
        token,
        url,
        str(role.get("role", "")),
        country.upper(),
        party.upper(),
        details if isinstance(details, dict) else {},
    )


class Partners:
    """Partner platforms: tokens issued, handshakes, who is calling."""

    def __init__(self, db: Database, settings: Settings, client: PartnerClient) -> None:
        self.db = db
        self.settings = settings
        self.client = client

    def issue(self, name: str) -> str:
        """A new partner with a fresh token A (given to the partner out of band)."""
        token = new_token()
        with self.db.transaction() as s:
            s.add(RoamingPartner(name=name, token_a_digest=token_digest(token)))
        return token

    def caller(self, tokens: list[str]) -> Caller | None:
        """The partner presenting one of these credentials tokens (A or C), if any."""
        digests = [token_digest(t) for t in tokens]
        if not digests:
            return None
        with self.db.sessions() as s:
            registered = s.scalar(
                select(RoamingPartner).where(
                    RoamingPartner.token_c_digest.in_(digests),
                    RoamingPartner.status == PartnerStatus.REGISTERED,
                )
            )
            if registered is not None:
                return Caller(registered.id, True, registered.country_code, registered.party_id)
            pending = s.scalar(
                select(RoamingPartner.id).where(RoamingPartner.token_a_digest.in_(digests))
            )
        return Caller(pending, False) if pending is not None else None

    def credentials(self, token: str, versions_url: str) -> dict[str, Any]:
        """Our Credentials object (CPO role) carrying `token`."""
        s = self.settings
        return {
            "token": token,
            "url": versions_url,
            "roles": [
                {
                    "role": "CPO",
                    "business_details": {"name": s.ocpi_business_name},
                    "party_id": s.ocpi_party_id,
                    "country_code": s.ocpi_country_code,
                }
            ],
        }

    def register(self, caller: Caller, body: Any, versions_url: str) -> dict[str, Any]:
        """POST credentials: a first registration (405 when already registered)."""
        if caller.registered:
            raise OcpiError(CLIENT_ERROR, "already registered: use PUT", http_status=405)
        return self._handshake(caller, read_offer(body), versions_url)

    def update(self, caller: Caller, body: Any, versions_url: str) -> dict[str, Any]:
        """PUT credentials: new token B, endpoints read again, a new token C."""
        if not caller.registered:
            raise OcpiError(CLIENT_ERROR, "not registered: use POST", http_status=405)
        return self._handshake(caller, read_offer(body), versions_url)

    def unregister(self, caller: Caller) -> None:
        """DELETE credentials: both sides' tokens stop working."""
        if not caller.registered:
            raise OcpiError(CLIENT_ERROR, "not registered", http_status=405)
        with self.db.transaction() as s:
            partner = s.get(RoamingPartner, caller.partner_id, with_for_update=True)
            if partner is not None:
                partner.status = PartnerStatus.UNREGISTERED
                partner.token_c_digest = None
                partner.token_b = None

    def _handshake(self, caller: Caller, offer: Offer, versions_url: str) -> dict[str, Any]:
        try:
            version, endpoints = self.client.endpoints(offer.url, offer.token)
        except PartnerUnreachable as exc:
            raise OcpiError(CLIENT_API_UNUSABLE, f"could not read your endpoints: {exc}") from None
        token_c = new_token()
        with self.db.transaction() as s:
            taken = s.scalar(
                select(RoamingPartner.id).where(
                    RoamingPartner.country_code == offer.country_code,
                    RoamingPartner.party_id == offer.party_id,
                    RoamingPartner.id != caller.partner_id,
                )
            )
            if taken is not None:
                raise OcpiError(CLIENT_ERROR, "another partner holds this party id")
            partner = s.get(RoamingPartner, caller.partner_id, with_for_update=True)
            if partner is None:
                raise OcpiError(CLIENT_ERROR, "unknown partner", http_status=401)
            partner.token_b, partner.versions_url = offer.token, offer.url
            partner.country_code, partner.party_id = offer.country_code, offer.party_id
            partner.role, partner.business_details = offer.role, offer.business_details
            partner.version, partner.endpoints = version, endpoints
            partner.token_c_digest, partner.token_a_digest = token_digest(token_c), None
            partner.status, partner.registered_at = PartnerStatus.REGISTERED, utcnow()
        return self.credentials(token_c, versions_url)


def endpoint(endpoints: list[dict[str, Any]] | None, module: str, role: str) -> str | None:
    """The partner's URL of a module's interface (e.g. sessions RECEIVER), if it has one."""
    for e in endpoints or []:
        if e.get("identifier") == module and e.get("role") == role and e.get("url"):
            return str(e["url"])
    return None
