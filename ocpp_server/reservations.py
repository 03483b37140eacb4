"""Reservations that end with their booking: cancelled on the charger after the booking is.

The booking package records a `booking.cancelled` intent in the cancelling transaction (it
knows nothing of chargers); the composition root routes it here. This runs after commit, on
the outbox's workers: our records first, then one CancelReservation per reservation.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update

from mobility.bus import CommandBus
from mobility.db import Database
from mobility.errors import ChargerUnavailable, CommandTimeout
from mobility.models import Charger, Reservation, ReservationStatus
from ocpp_server import protocols

log = logging.getLogger(__name__)
_OPEN = (ReservationStatus.REQUESTED, ReservationStatus.ACCEPTED)


class BookingReservations:
    """Outbox handler: cancel the open reservations of a cancelled booking."""

    def __init__(self, db: Database, bus: CommandBus, timeout: float) -> None:
        self.db = db
        self.bus = bus
        self.timeout = timeout

    def open_for(self, booking_id: int) -> list[tuple[int, str, str | None]]:
        """(reservation id, charge point id, OCPP version) of a booking's open reservations."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(Reservation.id, Charger.charge_point_id, Charger.ocpp_version)
                .join(Charger, Charger.id == Reservation.charger_id)
                .where(Reservation.booking_id == booking_id, Reservation.status.in_(_OPEN))
            )
            return [(r[0], r[1], r[2]) for r in rows]

    def __call__(self, payload: dict[str, Any]) -> None:
        """Cancel each open reservation; an unreachable charger makes the intent retry."""
        unreachable = []
        for reservation_id, cp_id, version in self.open_for(int(payload["booking_id"])):
            field = protocols.by_version(version).reservation_id_field
            try:
                answer = self.bus.call_sync(
                    cp_id, "CancelReservation", {field: reservation_id}, self.timeout
                )
            except (ChargerUnavailable, CommandTimeout) as exc:
                unreachable.append(f"{cp_id}: {exc.message}")
                continue
            if answer.get("status") != "Accepted":
                # The charger no longer holds it (expired, used): ours ends all the same.
                log.info("%s did not cancel reservation %s: %s", cp_id, reservation_id, answer)
                self._cancelled(reservation_id)
        if unreachable:
            # Retried with backoff until the charger answers or the reservation has expired.
            raise ChargerUnavailable("; ".join(unreachable))

    def _cancelled(self, reservation_id: int) -> None:
        with self.db.transaction() as s:
            s.execute(
                update(Reservation)
                .where(Reservation.id == reservation_id, Reservation.status.in_(_OPEN))
                .values(status=ReservationStatus.CANCELLED)
            )
