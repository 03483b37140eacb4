"""Use cases of the CSMS, one transaction each (run in worker threads, never across an await)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import Charger, RegistrationStatus


def record_boot(
    db: Database, charger_id: str, vendor: str, model: str, extra: dict[str, Any]
) -> str:
    """Store a BootNotification and return the registration status to answer."""
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == charger_id))
        if charger is None:
            charger = Charger(
                charge_point_id=charger_id, registration_status=RegistrationStatus.PENDING
            )
            s.add(charger)
        now = utcnow()
        charger.vendor, charger.model = vendor, model
        charger.firmware_version = extra.get("firmware_version")
        charger.serial_number = extra.get("charge_point_serial_number")
        charger.ocpp_version = "1.6"
        charger.last_boot_at = charger.last_seen_at = now
        charger.is_online = True
        return charger.registration_status


def touch(db: Database, charger_id: str) -> None:
    """Note that the charger is alive."""
    with db.transaction() as s:
        charger = s.scalar(select(Charger).where(Charger.charge_point_id == charger_id))
        if charger is not None:
            charger.last_seen_at = utcnow()
            charger.is_online = True
