"""A power schedule for one connector, in no protocol's terms: what smart charging sends.

Senders put `PowerSchedule.to_payload()` on the command bus under `SET_SCHEDULE`; each OCPP
adapter turns it into its version's SetChargingProfile (1.6 csChargingProfiles, 2.0.1
chargingProfile) and records the outcome. `CLEAR_SCHEDULE` removes a profile by its id.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mobility.clock import as_utc

SET_SCHEDULE = "SetChargingSchedule"
CLEAR_SCHEDULE = "ClearChargingSchedule"
NEUTRAL_COMMANDS = (SET_SCHEDULE, CLEAR_SCHEDULE)

TX_PROFILE = "TxProfile"
TX_DEFAULT = "TxDefaultProfile"


@dataclass(frozen=True)
class SchedulePeriod:
    """From `start_s` seconds after the schedule's start, draw at most `limit_w` watts."""

    start_s: int
    limit_w: int


@dataclass(frozen=True)
class PowerSchedule:
    """An absolute schedule for one connector: a TxProfile for a session, else TxDefault."""

    connector_id: int
    purpose: str
    profile_id: int
    stack_level: int
    start: datetime
    periods: tuple[SchedulePeriod, ...]
    transaction_ref: str | None = None

    def __post_init__(self) -> None:
        if not self.periods or self.periods[0].start_s != 0:
            raise ValueError("a schedule needs periods, the first at offset 0")
        if any(
            b.start_s <= a.start_s for a, b in zip(self.periods, self.periods[1:], strict=False)
        ):
            raise ValueError("schedule periods must start in increasing order")
        if any(p.limit_w < 0 for p in self.periods):
            raise ValueError("a schedule limit cannot be negative")
        if self.purpose == TX_PROFILE and not self.transaction_ref:
            raise ValueError("a TxProfile names its transaction")

    def to_payload(self) -> dict[str, Any]:
        """JSON form for the command bus and the records."""
        return {
            "connectorId": self.connector_id,
            "purpose": self.purpose,
            "profileId": self.profile_id,
            "stackLevel": self.stack_level,
            "start": as_utc(self.start).isoformat(),
            "periods": [[p.start_s, p.limit_w] for p in self.periods],
            "transactionRef": self.transaction_ref,
        }

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> PowerSchedule:
        """Read the JSON form back (raises ValueError/KeyError/TypeError when malformed)."""
        return cls(
            connector_id=int(data["connectorId"]),
            purpose=str(data["purpose"]),
            profile_id=int(data["profileId"]),
            stack_level=int(data["stackLevel"]),
            start=as_utc(datetime.fromisoformat(str(data["start"]))),
            periods=tuple(SchedulePeriod(int(s), int(w)) for s, w in data["periods"]),
            transaction_ref=data.get("transactionRef"),
        )

    @property
    def digest(self) -> str:
        """Same schedule, same digest: an unchanged plan is not sent again."""
        text = json.dumps(self.to_payload(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:32]
