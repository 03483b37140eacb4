"""Commands module, CPO side: partners' commands reach chargers after commit, results follow.

A command is an outbox intent: after commit a worker calls the charger through the command bus,
then records the result as a second intent, POSTed to the partner's response_url and retried
until it arrives (the charger is never called twice for one retried POST).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.bus import CommandBus
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import ChargerUnavailable, CommandTimeout, DomainError
from mobility.models import (
    Charger,
    ChargingTransaction,
    Connector,
    PartnerStatus,
    Reservation,
    RoamingPartner,
    TransactionStatus,
)
from mobility.outbox import Outbox
from roaming import command_map, rules
from roaming.client import PartnerClient
from roaming.partners import Caller
from roaming.tokens import Tokens
from roaming.wire import INVALID_PARAMETERS, UNKNOWN_LOCATION, OcpiError, parse_time

COMMAND = "roaming.command"
RESULT = "roaming.command_result"


@dataclass(frozen=True)
class Target:
    """The charger and connector a command addresses."""

    charger: Charger
    connector: int


def _field(body: dict[str, Any], key: str) -> Any:
    value = body.get(key)
    if value is None or value == "":
        raise OcpiError(INVALID_PARAMETERS, f"{key} is required")
    return value


def _target(s: Session, body: dict[str, Any]) -> Target:
    """The EVSE named by location_id + evse_uid (one OCPP connector)."""
    location, uid = str(_field(body, "location_id")), body.get("evse_uid")
    split = rules.split_evse_uid(str(uid)) if uid else None
    if split is None:
        raise OcpiError(UNKNOWN_LOCATION, "unknown location or EVSE (evse_uid is needed)")
    charger = s.scalar(select(Charger).where(Charger.charge_point_id == split[0]))
    known = s.scalar(
        select(Connector.id).where(
            Connector.charger_id == (charger.id if charger else None),
            Connector.connector_id == split[1],
        )
    )
    if charger is None or known is None or str(charger.hub_id) != location:
        raise OcpiError(UNKNOWN_LOCATION, "unknown location or EVSE")
    return Target(charger, split[1])


class Commands:
    """Takes partners' commands and carries them out through the command bus."""

    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        bus: CommandBus,
        client: PartnerClient,
        tokens: Tokens,
        timeout: float,
    ) -> None:
        self.db, self.outbox, self.bus = db, outbox, bus
        self.client, self.tokens, self.timeout = client, tokens, timeout

    def request(self, caller: Caller, command: str, body: Any) -> dict[str, Any]:
        """Accept (or refuse) a command; the result follows at response_url."""
        if command not in command_map.COMMANDS:
            return {"result": "NOT_SUPPORTED", "timeout": 0}
        if not isinstance(body, dict):
            raise OcpiError(INVALID_PARAMETERS, "the body must be a command object")
        response_url = str(_field(body, "response_url"))
        if command in ("START_SESSION", "RESERVE_NOW"):
            # The token the partner sends is the one the charger will present: keep it.
            token = _field(body, "token")
            key = (token.get("country_code", ""), token.get("party_id", ""), token.get("uid", ""))
            self.tokens.put(caller, (*key, token.get("type", "")), token)
        with self.db.transaction() as s:
            call, cp_id = self._call(s, caller, command, body)
            if call is None:
                return {
                    "result": "UNKNOWN_SESSION" if command == "STOP_SESSION" else "REJECTED",
                    "timeout": 0,
                }
            payload = {
                "partner_id": caller.partner_id,
                "command": command,
                "charger": cp_id,
                "action": call.action,
                "payload": call.payload,
                "response_url": response_url,
            }
            self.outbox.record(s, COMMAND, f"{COMMAND}:{uuid.uuid4().hex}", payload)
        return {"result": "ACCEPTED", "timeout": int(self.timeout)}

    def _call(
        self, s: Session, caller: Caller, command: str, body: dict[str, Any]
    ) -> tuple[command_map.OcppCall | None, str]:
        if command == "STOP_SESSION":
            tx = s.scalar(
                select(ChargingTransaction).where(
                    ChargingTransaction.id == _int(_field(body, "session_id")),
                    ChargingTransaction.roaming_partner_id == caller.partner_id,
                    ChargingTransaction.status == TransactionStatus.ACTIVE,
                )
            )
            charger = s.get(Charger, tx.charger_id) if tx else None
            if tx is None or charger is None:
                return None, ""
            ref = tx.transaction_ref or str(tx.id)
            return command_map.stop_session(charger.ocpp_version, ref), charger.charge_point_id
        if command == "CANCEL_RESERVATION":
            ref = f"{caller.partner_id}:{_field(body, 'reservation_id')}"
            res = s.scalar(select(Reservation).where(Reservation.roaming_ref == ref))
            charger = s.get(Charger, res.charger_id) if res else None
            if res is None or charger is None:
                return None, ""
            return command_map.cancel_reservation(res.id), charger.charge_point_id
        target = _target(s, body)
        version, cp_id = target.charger.ocpp_version, target.charger.charge_point_id
        if command == "UNLOCK_CONNECTOR":
            return command_map.unlock_connector(version, target.connector), cp_id
        uid = str(body["token"].get("uid"))
        if command == "START_SESSION":
            remote = uuid.uuid4().int % 2**31
            return command_map.start_session(version, uid, target.connector, remote), cp_id
        return self._reserve(s, caller, body, target, uid), cp_id

    @staticmethod
    def _reserve(
        s: Session, caller: Caller, body: dict[str, Any], target: Target, uid: str
    ) -> command_map.OcppCall:
        """RESERVE_NOW: our reservation row (its id goes to the charger), keyed by theirs."""
        expires = parse_time(str(_field(body, "expiry_date")), "expiry_date")
        if expires <= utcnow():
            raise OcpiError(INVALID_PARAMETERS, "expiry_date must be in the future")
        ref = f"{caller.partner_id}:{_field(body, 'reservation_id')}"
        res = s.scalar(select(Reservation).where(Reservation.roaming_ref == ref))
        if res is None:  # a second RESERVE_NOW with the same id replaces the first (spec)
            res = Reservation(charger_id=target.charger.id, roaming_ref=ref)
            s.add(res)
        res.connector_id, res.id_tag, res.expires_at = target.connector, uid, expires
        s.flush()
        version = target.charger.ocpp_version
        return command_map.reserve_now(version, uid, target.connector, expires, res.id)

    def run(self, payload: dict[str, Any]) -> None:
        """Outbox handler: send the call to the charger, then queue its result for the partner."""
        try:
            answer = self.bus.call_sync(
                payload["charger"], payload["action"], payload["payload"], self.timeout
            )
            outcome = command_map.result(answer)
        except CommandTimeout:
            outcome = "TIMEOUT"
        except (ChargerUnavailable, DomainError):
            # Offline, or the charger answered with an error: the partner learns it failed.
            outcome = "FAILED"
        result = {
            "partner_id": payload["partner_id"],
            "response_url": payload["response_url"],
            "result": outcome,
        }
        with self.db.transaction() as s:
            key = f"{RESULT}:{uuid.uuid4().hex}"
            self.outbox.record(s, RESULT, key, result)

    def report(self, payload: dict[str, Any]) -> None:
        """Outbox handler: POST the CommandResult to the partner's response_url."""
        with self.db.sessions() as s:
            partner = s.get(RoamingPartner, payload["partner_id"])
            if partner is None or partner.status != PartnerStatus.REGISTERED:
                return
            token = partner.token_b or ""
        body = {"result": payload["result"]}
        self.client.call("POST", payload["response_url"], token, body)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
