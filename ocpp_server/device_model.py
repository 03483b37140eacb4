"""Use cases of the 2.0.1 device model and ISO 15118 charging needs: one transaction each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import (
    ChargerVariable,
    ChargingProfileRecord,
    EnergySite,
    EvChargingNeeds,
    EvChargingSchedule,
)
from ocpp_server import ev_schedules, evses
from ocpp_server.events import ChargingNeeds, EvChargingPlan, VariableValue
from ocpp_server.services import charger_row

# Reads the limits (steps in W) of a charging profile as the adapter sent it (None: cannot).
ProfileLimits = Callable[[dict[str, Any]], list[ev_schedules.Step] | None]
# The profiles that bound a session on an EVSE, most specific first.
_BOUNDING = ("TxProfile", "TxDefaultProfile")


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
    evses.note_types(s, charger_pk, _connector_types(wanted.values()))
    return len(wanted)


def _connector_types(values: Iterable[VariableValue]) -> dict[tuple[int, int], str]:
    """Connector.ConnectorType values of connectors inside EVSEs, by (evseId, connectorId)."""
    return {
        (v.evse_id, v.connector_id): v.value
        for v in values
        if v.component == "Connector"
        and v.variable == "ConnectorType"
        and v.attribute_type == "Actual"
        and v.evse_id > 0
        and v.connector_id > 0
        and v.value
    }


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


# LocalAuthListCtrlr variables, named as the 1.6 keys `authlist` reads (limits, support).
_LIST_KEYS = {
    "Enabled": "LocalAuthListEnabled",
    "Available": "LocalAuthListEnabled",  # a station without a list: as if disabled
    "ItemsPerMessage": "SendLocalListMaxLength",
}


def local_list_config(s: Session, charger_pk: int) -> dict[str, str | None]:
    """A 2.0.1 station's local-list settings from its device model, in `authlist`'s terms."""
    rows = s.execute(
        select(ChargerVariable.variable, ChargerVariable.value).where(
            ChargerVariable.charger_id == charger_pk,
            ChargerVariable.component == "LocalAuthListCtrlr",
            ChargerVariable.variable.in_(_LIST_KEYS),
            ChargerVariable.attribute_type == "Actual",
        )
    )
    config: dict[str, str | None] = {}
    for variable, value in sorted(rows):  # "Available" first: "Enabled" false wins over it
        key = _LIST_KEYS[variable]
        if str(config.get(key) or "").lower() != "false":
            config[key] = value
    return config


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


@dataclass(frozen=True)
class PlanOutcome:
    """Whether a vehicle's schedule keeps to our profile; the profile to send again if not."""

    within_limits: bool
    resend: dict[str, Any] | None = None


def record_ev_plan(
    db: Database, cp_id: str, plan: EvChargingPlan, limits_of: ProfileLimits
) -> PlanOutcome:
    """Keep a vehicle's schedule, checked against the profile in force on its EVSE; the
    vehicle's own limit (below ours) is what the planner reads from it."""
    ev = ev_schedules.steps(plan.time_base, plan.periods_w)
    with db.transaction() as s:
        charger = charger_row(s, cp_id)
        profile = _bounding_profile(s, charger.id, plan.connector_id)
        ours = (limits_of(profile.profile) if profile is not None else None) or []
        within = not ev_schedules.exceeds(ev, ours)
        s.add(
            EvChargingSchedule(
                charger_id=charger.id,
                connector_id=plan.connector_id,
                time_base=plan.time_base,
                periods_w=[list(p) for p in plan.periods_w],
                max_power_w=ev_schedules.own_limit(ev, ours),
                within_limits=within,
            )
        )
        resend = None if within or profile is None else dict(profile.profile)
        return PlanOutcome(within, resend)


def _bounding_profile(s: Session, charger_pk: int, evse_id: int) -> ChargingProfileRecord | None:
    """The accepted profile in force that bounds a session on the EVSE: its TxProfile, else
    the TxDefaultProfile for it (or for every EVSE), the highest stack level first."""
    found = s.scalars(
        select(ChargingProfileRecord).where(
            ChargingProfileRecord.charger_id == charger_pk,
            ChargingProfileRecord.connector_id.in_((evse_id, 0)),
            ChargingProfileRecord.purpose.in_(_BOUNDING),
            ChargingProfileRecord.status == "accepted",
            ChargingProfileRecord.cleared_at.is_(None),
        )
    ).all()
    return min(
        found,
        key=lambda p: (_BOUNDING.index(p.purpose), p.connector_id != evse_id, -p.stack_level),
        default=None,
    )
