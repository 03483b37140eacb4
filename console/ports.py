"""What the console asks of other packages' use cases, as the composition root provides them.

The console never imports another feature package: it names the use cases it needs here and
the composition root hands in the objects that have them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from sqlalchemy.orm import Session

# The console's own record of a change (an audit row), written in the use case's transaction
# and given the id of what it made.
Note = Callable[[Session, int], object]


class ReservationMade(Protocol):
    """A reservation the OCPP server made and sent."""

    @property
    def reservation_id(self) -> int:
        """Our reservation's id (the one the charger knows it by)."""

    @property
    def answer(self) -> dict[str, Any]:
        """The charger's answer to ReserveNow."""


class ChargerReservations(Protocol):
    """The OCPP server's reservation use cases (ReserveNow, CancelReservation)."""

    def reserve(
        self,
        cp_id: str,
        payload: dict[str, Any],
        *,
        user_id: int | None = None,
        booking_id: int | None = None,
        note: Note | None = None,
    ) -> ReservationMade:
        """Record a reservation, then send ReserveNow (camelCase payload of its version)."""

    def cancel(
        self,
        cp_id: str,
        reservation_id: int,
        *,
        user_id: int | None = None,
        note: Note | None = None,
    ) -> dict[str, Any]:
        """Send CancelReservation for an open reservation; the charger's answer."""
