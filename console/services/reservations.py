"""Reservations from the console: through the OCPP server's reservation use case, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.ocpp_terms import reserve_request
from console.ports import ChargerReservations, ReservationMade
from console.services.audit import Actor, record
from console.services.chargers import get_charger
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import NotFound, ValidationFailed
from mobility.models import IdToken

LONGEST = timedelta(hours=24)


@dataclass(frozen=True)
class ReserveForm:
    """What the operator asks: a connector (0: any), a card, for how long."""

    connector_id: int
    id_tag: str
    minutes: int
    note: str = ""


def _checked(form: ReserveForm) -> None:
    if form.connector_id < 0:
        raise ValidationFailed("Pick a connector.", field="connector_id")
    if not 1 <= form.minutes <= LONGEST.total_seconds() // 60:
        raise ValidationFailed("A reservation lasts 1 minute to 24 hours.", field="minutes")


def reserve(
    db: Database, desk: ChargerReservations, actor: Actor, cp_id: str, form: ReserveForm
) -> ReservationMade:
    """Reserve a connector of a charger for a card, for so many minutes from now."""
    _checked(form)
    with db.sessions() as s:
        version = get_charger(s, cp_id).ocpp_version
        kind = s.scalar(select(IdToken.kind).where(IdToken.id_tag == form.id_tag.strip()))
    if kind is None:
        raise NotFound(f"No card {form.id_tag.strip()}.")
    expires = utcnow() + timedelta(minutes=form.minutes)
    payload = reserve_request(version, form.connector_id, form.id_tag.strip(), kind, expires)

    def note(s: Session, reservation_id: int) -> Any:
        return record(
            s,
            actor,
            "charger.reserve",
            "charger",
            cp_id,
            reason=form.note.strip() or None,
            reservation_id=reservation_id,
            connector_id=form.connector_id,
            id_tag=form.id_tag.strip(),
            expires_at=expires.isoformat(),
        )

    return desk.reserve(cp_id, payload, user_id=actor.id, note=note)


def cancel(
    desk: ChargerReservations, actor: Actor, cp_id: str, reservation_id: int, reason: str
) -> dict[str, Any]:
    """Cancel a reservation on its charger (CancelReservation)."""

    def note(s: Session, rid: int) -> Any:
        return record(
            s,
            actor,
            "charger.cancel_reservation",
            "charger",
            cp_id,
            reason=reason.strip() or None,
            reservation_id=rid,
        )

    return desk.cancel(cp_id, reservation_id, user_id=actor.id, note=note)
