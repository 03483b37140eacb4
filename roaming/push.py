"""Pushes to partners after commit (outbox handlers): Session PUTs, CDR POSTs.

Each handler reads the session as it stands when it runs (a later push never sends an older
state) and calls the partner outside any transaction; a failure is retried by the outbox.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from billing.facade import Billing
from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import ChargingTransaction, PartnerStatus, RoamingPartner
from mobility.outbox import Outbox
from mobility.roaming import SESSION_CHANGED
from roaming.client import PartnerClient, Route
from roaming.locations import Party
from roaming.partners import endpoint
from roaming.sessions import cdr_object, session_object

log = logging.getLogger(__name__)


class RoamingFeed:
    """The charging core's SessionFeed: a roaming session's change becomes a Session push."""

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def changed(self, s: Session, tx: ChargingTransaction, ended: bool = False) -> None:
        """Record a Session push for after commit (roaming sessions only)."""
        if tx.roaming_partner_id is None:
            return
        when = "end" if ended else f"{utcnow().timestamp():.6f}"
        key = f"{SESSION_CHANGED}:{tx.id}:{when}"
        self.outbox.record(s, SESSION_CHANGED, key, {"transaction_id": tx.id})


class Pusher:
    """Sends a roaming session's Session and CDR to its partner's receiver endpoints."""

    def __init__(self, db: Database, billing: Billing, client: PartnerClient, party: Party):
        self.db = db
        self.billing = billing
        self.client = client
        self.party = party

    def _target(
        self, s: Session, tx: ChargingTransaction | None, module: str
    ) -> tuple[str, str, Route] | None:
        """The partner's receiver URL, its token B and the routing headers (None: nowhere)."""
        if tx is None or tx.roaming_partner_id is None:
            return None
        partner = s.get(RoamingPartner, tx.roaming_partner_id)
        if partner is None or partner.status != PartnerStatus.REGISTERED or not partner.token_b:
            return None
        url = endpoint(partner.endpoints, module, "RECEIVER")
        if url is None:
            log.info("partner %s has no %s receiver: not pushed", partner.id, module)
            return None
        route = Route(
            self.party.country_code,
            self.party.party_id,
            partner.country_code or "",
            partner.party_id or "",
        )
        return url.rstrip("/"), partner.token_b, route

    def session(self, payload: dict[str, Any]) -> None:
        """PUT the session as it stands now."""
        with self.db.sessions() as s:
            tx = s.get(ChargingTransaction, payload["transaction_id"])
            target = self._target(s, tx, "sessions")
            if target is None or tx is None:
                return
            body = session_object(s, self.billing, tx, self.party)
        url, token, route = target
        path = f"{url}/{self.party.country_code}/{self.party.party_id}/{body['id']}"
        self.client.call("PUT", path, token, body, route)

    def cdr(self, payload: dict[str, Any]) -> None:
        """POST the final CDR of a settled session."""
        with self.db.sessions() as s:
            tx = s.get(ChargingTransaction, payload["transaction_id"])
            target = self._target(s, tx, "cdrs")
            if target is None or tx is None:
                return
            body = cdr_object(s, self.billing, tx, self.party)
        url, token, route = target
        self.client.call("POST", url, token, body, route)
