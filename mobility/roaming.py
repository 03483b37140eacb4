"""Roaming as the core sees it: partner networks' tokens, and the port that feeds sessions out.

Chargers know nothing of OCPI. The charging core asks `roaming_grant` about an id tag that is
none of ours, marks a session started with a partner's token with that partner, and tells the
`SessionFeed` the composition root gave it (OCPI pushes, in `roaming`) when such a session
starts, changes or ends. Billing records a `CDR_DUE` intent when it settles one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.models import ChargingTransaction, PartnerStatus, RoamingPartner, RoamingToken

# Outbox kinds carried out by the roaming package (registered by the composition root).
SESSION_CHANGED = "roaming.session"
CDR_DUE = "roaming.cdr"

# OCPI WhitelistType values under which a stored valid token may charge without asking the
# partner; NEVER means real-time authorisation only (not offered here: refused).
_STORED_OK = ("ALWAYS", "ALLOWED", "ALLOWED_OFFLINE")


@dataclass(frozen=True)
class RoamingGrant:
    """A partner's answer for one of its tokens, in OCPP terms (Accepted or Blocked)."""

    status: str
    partner_id: int


def roaming_grant(s: Session, id_tag: str) -> RoamingGrant | None:
    """The stored verdict on a partner's token with this uid (None: no partner knows it)."""
    rows = s.execute(
        select(RoamingToken.valid, RoamingToken.whitelist, RoamingToken.partner_id)
        .join(RoamingPartner, RoamingPartner.id == RoamingToken.partner_id)
        .where(RoamingToken.uid == id_tag, RoamingPartner.status == PartnerStatus.REGISTERED)
        .order_by(RoamingToken.valid.desc(), RoamingToken.id)
    ).all()
    if not rows:
        return None
    valid, whitelist, partner_id = rows[0]
    ok = valid and whitelist in _STORED_OK
    return RoamingGrant("Accepted" if ok else "Blocked", partner_id)


class SessionFeed(Protocol):
    """Told, inside the use case's transaction, that a charging session started or changed."""

    def changed(self, s: Session, tx: ChargingTransaction, ended: bool = False) -> None:
        """Record whatever must follow (after commit) for this session."""


class NoFeed:
    """No roaming composed in: nothing follows."""

    def changed(self, s: Session, tx: ChargingTransaction, ended: bool = False) -> None:
        """Nothing to do."""
