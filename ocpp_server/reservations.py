"""Charger reservations: made and cancelled by operators, and ended with their booking.

An operator's ReserveNow needs our reservation id: the row is made in a transaction (with the
caller's own record, an audit row, in the same one) and the command is sent after commit.
The booking package records a `booking.cancelled` intent in the cancelling transaction (it
knows nothing of chargers); the composition root routes it here. This runs after commit, on
the outbox's workers: our records first, then one CancelReservation per reservation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobility.bus import CommandBus
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import ChargerUnavailable, CommandTimeout, Conflict, NotFound, ValidationFailed
from mobility.models import Booking, Charger, IdToken, Reservation, ReservationStatus
from ocpp_server import commands, protocols
from ocpp_server.node import ProtocolAdapter
from ocpp_server.services import charger_row

log = logging.getLogger(__name__)
_OPEN = (ReservationStatus.REQUESTED, ReservationStatus.ACCEPTED)
# CancelReservation names the reservation so in both versions (ReserveNow differs: 2.0.1 "id").
CANCEL_FIELD = "reservationId"
# The caller's own record of the change (an audit row), written in the same transaction;
# it is given the reservation's id.
Note = Callable[[Session, int], object]


def reserve_in(
    s: Session,
    charger: Charger,
    adapter: ProtocolAdapter,
    payload: dict[str, Any],
    user_id: int | None = None,
    booking_id: int | None = None,
) -> tuple[int, dict[str, Any]]:
    """Record a ReserveNow's reservation; its id and the payload with that id filled in."""
    try:
        terms = adapter.reservation_terms(payload)
    except (KeyError, ValueError, TypeError):
        raise ValidationFailed(
            f"ReserveNow needs the connector, token and expiry of OCPP {adapter.version}"
        ) from None
    if terms.expires_at <= utcnow():
        raise ValidationFailed("The reservation's expiry must be in the future")
    if booking_id is not None and s.get(Booking, booking_id) is None:
        raise ValidationFailed(f"No booking {booking_id}.", field="booking")
    # A card of a group (a fleet) reserves for the group: any card with that parent may use it.
    parent = terms.parent_id_token or s.scalar(
        select(IdToken.parent_id_tag).where(IdToken.id_tag == terms.id_token)
    )
    res = Reservation(
        charger_id=charger.id,
        connector_id=terms.connector_id,
        id_tag=terms.id_token,
        parent_id_tag=parent,
        expires_at=terms.expires_at,
        user_id=user_id,
        booking_id=booking_id,
    )
    s.add(res)
    s.flush()
    filled: dict[str, Any] = {adapter.reservation_id_field: res.id}
    if parent and adapter.parent_id_field and adapter.parent_id_field not in payload:
        filled[adapter.parent_id_field] = parent
    return res.id, {**payload, **filled}


def _end(db: Database, reservation_id: int, status: ReservationStatus) -> None:
    """End a reservation still open in our records."""
    with db.transaction() as s:
        s.execute(
            update(Reservation)
            .where(Reservation.id == reservation_id, Reservation.status.in_(_OPEN))
            .values(status=status)
        )


@dataclass(frozen=True)
class Reserved:
    """A reservation made: its id, the payload sent and the charger's answer."""

    reservation_id: int
    payload: dict[str, Any]
    answer: dict[str, Any]


class OperatorReservations:
    """ReserveNow and CancelReservation for an operator, recorded before they are sent."""

    def __init__(self, db: Database, bus: CommandBus, timeout: float) -> None:
        self.db = db
        self.bus = bus
        self.timeout = timeout

    def reserve(
        self,
        cp_id: str,
        payload: dict[str, Any],
        *,
        user_id: int | None = None,
        booking_id: int | None = None,
        note: Note | None = None,
    ) -> Reserved:
        """Reserve a connector (ReserveNow in the charger's version, camelCase payload)."""
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            adapter = protocols.by_version(charger.ocpp_version)
            reservation_id, sent = reserve_in(s, charger, adapter, payload, user_id, booking_id)
            if note is not None:
                note(s, reservation_id)
            charger_pk = charger.id
        try:
            answer = self.bus.call_sync(cp_id, "ReserveNow", sent, self.timeout)
        except ChargerUnavailable:
            # Never reached the charger: the attempt stays in its history, the row ends.
            commands.command_offline(self.db, charger_pk, "ReserveNow", sent, user_id)
            _end(self.db, reservation_id, ReservationStatus.UNAVAILABLE)
            raise
        return Reserved(reservation_id, sent, answer)

    def cancel(
        self,
        cp_id: str,
        reservation_id: int,
        *,
        user_id: int | None = None,
        note: Note | None = None,
    ) -> dict[str, Any]:
        """Cancel an open reservation on its charger; the charger's answer."""
        with self.db.transaction() as s:
            charger = charger_row(s, cp_id)
            res = s.get(Reservation, reservation_id)
            if res is None or res.charger_id != charger.id:
                raise NotFound(f"No reservation {reservation_id} on {cp_id}.")
            if res.status not in _OPEN:
                raise Conflict(f"Reservation {reservation_id} is {res.status}.")
            if note is not None:
                note(s, reservation_id)
            payload = {CANCEL_FIELD: res.id}
            charger_pk = charger.id
        try:
            answer = self.bus.call_sync(cp_id, "CancelReservation", payload, self.timeout)
        except ChargerUnavailable:
            commands.command_offline(self.db, charger_pk, "CancelReservation", payload, user_id)
            raise
        if answer.get("status") != "Accepted":
            # The charger no longer holds it (expired, used): ours ends all the same.
            _end(self.db, reservation_id, ReservationStatus.CANCELLED)
        return answer


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
        for reservation_id, cp_id, _version in self.open_for(int(payload["booking_id"])):
            try:
                answer = self.bus.call_sync(
                    cp_id, "CancelReservation", {CANCEL_FIELD: reservation_id}, self.timeout
                )
            except (ChargerUnavailable, CommandTimeout) as exc:
                unreachable.append(f"{cp_id}: {exc.message}")
                continue
            if answer.get("status") != "Accepted":
                # The charger no longer holds it (expired, used): ours ends all the same.
                log.info("%s did not cancel reservation %s: %s", cp_id, reservation_id, answer)
                _end(self.db, reservation_id, ReservationStatus.CANCELLED)
        if unreachable:
            # Retried with backoff until the charger answers or the reservation has expired.
            raise ChargerUnavailable("; ".join(unreachable))
