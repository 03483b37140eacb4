"""What a protocol adapter needs from the OCPP node it runs in, and what the node needs back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mobility.config import Settings
from ocpp_server.authlist import ListUpdate
from ocpp_server.events import BootAnswer, Report, ReservationTerms
from ocpp_server.security.services import SecurityService
from ocpp_server.services import ChargingService


class Node(Protocol):
    """The OCPP node as its charger sessions see it."""

    settings: Settings
    charging: ChargingService
    security: SecurityService

    def seen(self, cp_id: str) -> None:
        """Note a sign of life of a charger."""

    def report(self, cp_id: str, report: Report) -> bool:
        """Queue a high-volume report (status, meter samples); False when it cannot be held."""

    def boot_answer(self, cp_id: str) -> BootAnswer | None:
        """The answer to the charger's boot, known since it authenticated (None: ask the core)."""

    async def flush_reports(self) -> None:
        """Store every queued report now (before a session is closed and priced)."""


class ChargerSession(Protocol):
    """One charger's connection, whatever its protocol version."""

    id: str

    async def start(self) -> None:
        """Serve the charger until its socket closes."""

    async def send_command(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CSMS-initiated command (camelCase payload) and return the charger's answer."""

    async def drain(self) -> None:
        """Take no new frame; return once the one being handled is answered (node stopping)."""


@dataclass(frozen=True)
class ProtocolAdapter:
    """One OCPP version: its websocket subprotocol, command catalogue and session factory.

    `reservation_terms` reads a ReserveNow payload (ValueError, KeyError or TypeError when it
    cannot); `reservation_id_field` names the field that carries our reservation's id,
    `parent_id_field` the group token's field ("" when the version's ReserveNow has none), and
    `certificate_renewal` is the command (action, payload) asking the charger for a new CSR;
    `local_list_payload` builds the version's SendLocalList for a planned list update.
    """

    subprotocol: str
    version: str
    commands: tuple[str, ...]
    session: Callable[[str, Any, Node], ChargerSession]
    reservation_terms: Callable[[dict[str, Any]], ReservationTerms]
    reservation_id_field: str
    certificate_renewal: tuple[str, dict[str, Any]]
    local_list_payload: Callable[[ListUpdate], dict[str, Any]]
    parent_id_field: str = ""
