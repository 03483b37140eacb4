"""Starting and stopping a charging session from afar, in no protocol's terms.

Senders (the citizen site) put `RemoteStart(...).to_payload()` on the command bus under
`START_CHARGING`, or `RemoteStop(...)` under `STOP_CHARGING`; each OCPP adapter turns it into
its version's call (1.6 RemoteStart/StopTransaction, 2.0.1 RequestStart/StopTransaction), so no
sender needs to know which protocol a charger speaks. The charger's answer comes back as is
(`status`: Accepted or Rejected).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

START_CHARGING = "StartCharging"
STOP_CHARGING = "StopCharging"
NEUTRAL_SESSION_COMMANDS = (START_CHARGING, STOP_CHARGING)
# OCPP 1.6 idTag is CiString20: a longer token cannot be sent to a 1.6 charger.
MAX_ID_TAG = 20


@dataclass(frozen=True)
class RemoteStart:
    """Start charging on `connector_id` for the card `id_tag` (token_type: 2.0.1 IdTokenEnum)."""

    connector_id: int
    id_tag: str
    remote_start_id: int
    token_type: str = "ISO14443"  # noqa: S105 - a token kind, no secret

    def __post_init__(self) -> None:
        if self.connector_id < 1:
            raise ValueError("a remote start names a connector (1 or more)")
        if not self.id_tag or len(self.id_tag) > MAX_ID_TAG:
            raise ValueError(f"an id tag has 1 to {MAX_ID_TAG} characters")

    def to_payload(self) -> dict[str, Any]:
        """JSON form for the command bus."""
        return {
            "connectorId": self.connector_id,
            "idTag": self.id_tag,
            "remoteStartId": self.remote_start_id,
            "tokenType": self.token_type,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> RemoteStart:
        """Read the bus form back (KeyError, TypeError or ValueError when malformed)."""
        return cls(
            int(payload["connectorId"]),
            str(payload["idTag"]),
            int(payload["remoteStartId"]),
            str(payload.get("tokenType") or "ISO14443"),
        )


@dataclass(frozen=True)
class RemoteStop:
    """Stop the session the charger knows as `transaction_ref`."""

    transaction_ref: str

    def to_payload(self) -> dict[str, Any]:
        """JSON form for the command bus."""
        return {"transactionRef": self.transaction_ref}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> RemoteStop:
        """Read the bus form back."""
        ref = str(payload["transactionRef"])
        if not ref:
            raise ValueError("a remote stop names the charger's transaction")
        return cls(ref)
