"""Use cases of the 2.0.1 device model and ISO 15118 charging needs: one transaction each."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import ChargerVariable, EnergySite, EvChargingNeeds
from ocpp_server.events import ChargingNeeds, VariableValue
from ocpp_server.services import charger_row


def store_values(s: Session, charger_pk: int, values: Iterable[VariableValue]) -> int:
    """Insert or update each reported attribute (the latest report wins)."""
    wanted = {_key(v): v for v in values}
    if not wanted:
        return 0
    existing = {
        _row_key(row): row
        for row in s.scalars(
            select(ChargerVariable).where(
                ChargerVariable.charger_id == charger_pk,
                ChargerVariable.component.in_({v.component for v in wanted.values()}),
            )
        )
    }
    now = utcnow()
    for key, v in wanted.items():
        row = existing.get(key)
        if row is None:
            row = ChargerVariable(charger_id=charger_pk, **dict(zip(_FIELDS, key, strict=True)))
            s.add(row)
        row.value, row.updated_at, row.reboot_required = v.value, now, v.reboot_required
        for name in ("mutability", "data_type", "unit"):
            if getattr(v, name) is not None:  # Get/SetVariables answers carry no traits
                setattr(row, name, getattr(v, name))
    return len(wanted)


_FIELDS = (
    "component",
    "component_instance",
    "evse_id",
    "connector_id",
    "variable",
    "variable_instance",
    "attribute_type",
)


def _key(v: VariableValue) -> tuple[object, ...]:
    return tuple(getattr(v, name) for name in _FIELDS)


def _row_key(row: ChargerVariable) -> tuple[object, ...]:
    return tuple(getattr(row, name) for name in _FIELDS)


def record_report(db: Database, cp_id: str, values: tuple[VariableValue, ...]) -> int:
    """A NotifyReport part: its values stored."""
    with db.transaction() as s:
        return store_values(s, charger_row(s, cp_id).id, values)


def record_needs(db: Database, cp_id: str, needs: ChargingNeeds) -> bool:
    """Keep what the vehicle asked for; True when the charger's hub is smart-charged (the
    planner will answer with a schedule), False when nothing will follow."""
    with db.transaction() as s:
        charger = charger_row(s, cp_id)
        s.add(
            EvChargingNeeds(
                charger_id=charger.id,
                connector_id=needs.connector_id,
                departure_at=needs.departure,
                energy_wh=needs.energy_wh,
                max_power_w=needs.max_power_w,
                soc_percent=needs.soc_percent,
                transfer_mode=needs.transfer_mode,
            )
        )
        if charger.hub_id is None:
            return False
        planned = s.scalar(
            select(EnergySite.id).where(
                EnergySite.hub_id == charger.hub_id, EnergySite.enabled.is_(True)
            )
        )
        return planned is not None
