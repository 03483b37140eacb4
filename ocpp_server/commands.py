"""CSMS-initiated commands: recorded before they are sent, their outcome and effects after."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import (
    Charger,
    ChargerCommand,
    ChargingProfileRecord,
    CommandStatus,
    Reservation,
)
from ocpp_server import configuration, evses, local_lists, monitoring
from ocpp_server.device_model import store_values
from ocpp_server.events import (
    AvailabilityChanged,
    CommandEffect,
    ConfigurationChanged,
    ConfigurationReported,
    HeartbeatIntervalChanged,
    LocalListSent,
    LocalListVersion,
    MonitorsCleared,
    MonitorsSet,
    ProfileCleared,
    ProfileOutcome,
    ReservationOutcome,
    VariablesReported,
)
from ocpp_server.security.rules import redacted
from ocpp_server.security.services import apply_effect as apply_security_effect
from ocpp_server.services import charger_row


def command_started(
    db: Database, cp_id: str, action: str, payload: dict[str, Any], user_id: int | None = None
) -> int:
    """Persist a CSMS-initiated command before it is sent."""
    with db.transaction() as s:
        charger = charger_row(s, cp_id)
        cmd = ChargerCommand(
            charger_id=charger.id,
            action=action,
            payload=redacted(action, payload),  # no charger password in the history
            requested_by_id=user_id,
        )
        s.add(cmd)
        s.flush()
        return cmd.id


def command_finished(
    db: Database,
    command_id: int,
    status: CommandStatus,
    response: dict[str, Any] | None = None,
    error: str | None = None,
    effects: Iterable[CommandEffect] = (),
) -> None:
    """Persist a command's outcome and mirror what the charger accepted in our records."""
    with db.transaction() as s:
        cmd = s.get(ChargerCommand, command_id)
        if cmd is None:
            return
        cmd.status, cmd.response, cmd.error, cmd.answered_at = status, response, error, utcnow()
        for effect in effects:
            _apply(s, cmd.charger_id, effect)


def command_offline(
    db: Database, charger_pk: int, action: str, payload: dict[str, Any], user_id: int | None
) -> None:
    """Record a command that could not be sent because no node holds the charger."""
    with db.transaction() as s:
        s.add(
            ChargerCommand(
                charger_id=charger_pk,
                action=action,
                payload=redacted(action, payload),
                status=CommandStatus.OFFLINE,
                error="charger not connected",
                requested_by_id=user_id,
            )
        )


def record_effects(db: Database, cp_id: str, effects: Iterable[CommandEffect]) -> None:
    """Mirror what a charger reported on its own (a reservation expired...) in our records."""
    with db.transaction() as s:
        charger = charger_row(s, cp_id)
        for effect in effects:
            _apply(s, charger.id, effect)


def _apply(s: Session, charger_pk: int, effect: CommandEffect) -> None:
    if isinstance(effect, ReservationOutcome):
        s.execute(
            update(Reservation)
            .where(Reservation.id == effect.reservation_id, Reservation.charger_id == charger_pk)
            .values(status=effect.status)
        )
    elif isinstance(effect, AvailabilityChanged):
        evses.change_availability(s, charger_pk, effect)
    elif isinstance(effect, HeartbeatIntervalChanged):
        s.execute(
            update(Charger)
            .where(Charger.id == charger_pk)
            .values(heartbeat_interval=effect.seconds)
        )
    elif isinstance(effect, VariablesReported):
        store_values(s, charger_pk, effect.values)
    elif isinstance(effect, ProfileOutcome):
        _record_profile(s, charger_pk, effect)
    elif isinstance(effect, ProfileCleared):
        _clear_profiles(s, charger_pk, effect)
    elif isinstance(effect, LocalListVersion):
        local_lists.version_reported(s, charger_pk, effect.version)
    elif isinstance(effect, LocalListSent):
        local_lists.apply_sent(s, charger_pk, effect)
    elif isinstance(effect, ConfigurationReported):
        configuration.apply_report(s, charger_pk, effect)
    elif isinstance(effect, ConfigurationChanged):
        configuration.apply_change(s, charger_pk, effect)
    elif isinstance(effect, MonitorsSet):
        monitoring.apply_set(s, charger_pk, effect)
    elif isinstance(effect, MonitorsCleared):
        monitoring.apply_cleared(s, charger_pk, effect)
    else:
        apply_security_effect(s, charger_pk, effect)


def _in_force(charger_pk: int) -> Any:
    return update(ChargingProfileRecord).where(
        ChargingProfileRecord.charger_id == charger_pk,
        ChargingProfileRecord.cleared_at.is_(None),
    )


def _record_profile(s: Session, charger_pk: int, effect: ProfileOutcome) -> None:
    """Keep what was sent; an accepted profile replaces the one with its id (OCPP rule)."""
    if effect.accepted:
        s.execute(
            _in_force(charger_pk)
            .where(ChargingProfileRecord.profile_id == effect.profile_id)
            .values(status="replaced", cleared_at=utcnow())
        )
    s.add(
        ChargingProfileRecord(
            charger_id=charger_pk,
            connector_id=effect.connector_id,
            profile_id=effect.profile_id,
            stack_level=effect.stack_level,
            purpose=effect.purpose,
            profile=effect.profile,
            status="accepted" if effect.accepted else "rejected",
            cleared_at=None if effect.accepted else utcnow(),
            transaction_ref=effect.transaction_ref,
            digest=effect.digest,
        )
    )


def _clear_profiles(s: Session, charger_pk: int, effect: ProfileCleared) -> None:
    stmt = _in_force(charger_pk)
    if effect.profile_id is not None:
        stmt = stmt.where(ChargingProfileRecord.profile_id == effect.profile_id)
    if effect.connector_id:  # 0 or absent: the whole charger
        stmt = stmt.where(ChargingProfileRecord.connector_id == effect.connector_id)
    if effect.purpose:
        stmt = stmt.where(ChargingProfileRecord.purpose == effect.purpose)
    s.execute(stmt.values(status="cleared", cleared_at=utcnow()))


def create_reservation(
    db: Database,
    cp_id: str,
    connector_id: int,
    id_tag: str,
    expires_at: datetime,
    user_id: int | None = None,
    parent_id_tag: str | None = None,
    booking_id: int | None = None,
) -> int:
    """A reservation row whose id is sent to the charger."""
    with db.transaction() as s:
        charger = charger_row(s, cp_id)
        res = Reservation(
            charger_id=charger.id,
            connector_id=connector_id,
            id_tag=id_tag,
            parent_id_tag=parent_id_tag,
            expires_at=expires_at,
            user_id=user_id,
            booking_id=booking_id,
        )
        s.add(res)
        s.flush()
        return res.id
