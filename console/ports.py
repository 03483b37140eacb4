"""What the console asks of other packages' use cases, as the composition root provides them.

The console never imports another feature package: it names the use cases it needs here and
the composition root hands in the objects that have them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
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


# An adjustment's record: given what the booking use case changed.
Noted = Callable[[Session, dict[str, Any]], object]


class FeePolicy(Protocol):
    """The part of the booking policy an operator's adjustment charges."""

    @property
    def late_cancel_fee_minor(self) -> int:
        """The late-cancellation and no-show fee incl. VAT (never more than the quote)."""


class BookingDesk(Protocol):
    """The booking package's operator use cases (every booking rule applies)."""

    @property
    def policy(self) -> FeePolicy:
        """The booking policy in force."""

    def reschedule(
        self, booking_id: int, start: datetime, end: datetime, *, note: Noted | None = None
    ) -> Any:
        """Move a confirmed booking to new times."""

    def cancel_for(
        self, booking_id: int, charge_fee: bool, *, note: Noted | None = None
    ) -> tuple[Any, Any]:
        """Cancel a confirmed booking, waiving or charging the late fee."""

    def mark_no_show(
        self, booking_id: int, charge_fee: bool, *, note: Noted | None = None
    ) -> tuple[Any, Any]:
        """Record a no-show (or charge one released with no fee)."""
