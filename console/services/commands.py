"""Commands to chargers from the console: audited, then sent through the command bus."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from console.ocpp_terms import NOT_FROM_CONSOLE, stop_request
from console.services.audit import Actor, record
from console.services.chargers import get_charger
from mobility.bus import CommandBus
from mobility.db import Database
from mobility.errors import ChargerUnavailable, Conflict, NotFound, ValidationFailed
from mobility.models import (
    Charger,
    ChargerCommand,
    ChargingTransaction,
    CommandStatus,
    TransactionStatus,
)


@dataclass(frozen=True)
class Commands:
    """Sends an operator's command: the audit row commits first, the call runs after commit."""

    db: Database
    bus: CommandBus
    timeout: float
    catalogue: Callable[[str | None], Sequence[str]]

    def offered(self, version: str | None) -> list[str]:
        """The commands the console offers a charger of this protocol version."""
        return [a for a in self.catalogue(version) if a not in NOT_FROM_CONSOLE]

    def send(
        self, actor: Actor, cp_id: str, action: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        """Record who asked, send the command, return the charger's answer."""
        with self.db.transaction() as s:
            charger = get_charger(s, cp_id)
            if action not in self.offered(charger.ocpp_version):
                raise NotFound(f"{action} is not a command the console sends to {cp_id}.")
            record(s, actor, "charger.command", "charger", cp_id, command=action, payload=payload)
            charger_pk = charger.id
        return self._call(actor, charger_pk, cp_id, action, payload)

    def _call(
        self, actor: Actor, charger_pk: int, cp_id: str, action: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        try:
            return self.bus.call_sync(cp_id, action, payload, self.timeout)
        except ChargerUnavailable:
            # The node never saw it: keep the attempt in the charger's command history.
            with self.db.transaction() as s:
                s.add(
                    ChargerCommand(
                        charger_id=charger_pk,
                        action=action,
                        payload=payload,
                        status=CommandStatus.OFFLINE,
                        error="charger not connected",
                        requested_by_id=actor.id,
                    )
                )
            raise

    def remote_stop(self, actor: Actor, tx_id: int) -> dict[str, Any]:
        """Ask the charger to stop an active session (in its protocol's terms)."""
        with self.db.transaction() as s:
            tx = s.get(ChargingTransaction, tx_id)
            if tx is None:
                raise NotFound(f"No charging session {tx_id}.")
            if tx.status != TransactionStatus.ACTIVE or not tx.transaction_ref:
                raise Conflict("This session is not running.")
            charger = s.get(Charger, tx.charger_id)
            assert charger is not None  # a foreign key guarantees it
            try:
                action, payload = stop_request(
                    self.catalogue(charger.ocpp_version), tx.transaction_ref
                )
            except ValueError as exc:
                raise ValidationFailed(str(exc)) from None
            record(s, actor, "session.remote_stop", "session", tx_id, command=action)
            cp_id, charger_pk = charger.charge_point_id, charger.id
        return self._call(actor, charger_pk, cp_id, action, payload)
