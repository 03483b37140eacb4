"""Pure OCPP decisions: id validation, id tag status, units, idle detection."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

_CP_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")

DEFAULT_UNITS = {
    "Energy.Active.Import.Register": "Wh",
    "Energy.Active.Export.Register": "Wh",
    "Power.Active.Import": "W",
    "Current.Import": "A",
    "Current.Offered": "A",
    "Voltage": "V",
    "SoC": "Percent",
    "Temperature": "Celsius",
    "Frequency": "Hz",
}


def valid_charge_point_id(cp_id: str) -> bool:
    """Charge point ids are short printable identifiers (no slashes, spaces or control chars)."""
    return bool(_CP_ID.match(cp_id))


def id_tag_info(
    status: str,
    expires_at: datetime | None,
    parent: str | None,
    now: datetime,
    cache_for: timedelta | None = None,
) -> dict[str, Any]:
    """IdTagInfo: Blocked/Invalid as stored, Expired when past expiry, else Accepted.

    Chargers keep accepted tags in their authorization cache until expiryDate; capping it at
    now + cache_for makes them ask again, so a card blocked here stops working offline too.
    """
    if status == "Accepted" and expires_at is not None and expires_at <= now:
        status = "Expired"
    info: dict[str, Any] = {"status": status}
    if status == "Accepted" and cache_for is not None:
        cap = now + cache_for
        expires_at = cap if expires_at is None else min(expires_at, cap)
    if expires_at is not None:
        info["expiry_date"] = expires_at.isoformat()
    if parent:
        info["parent_id_tag"] = parent
    return info


def default_unit(measurand: str | None) -> str:
    """OCPP 1.6 default unit of a measurand (energy defaults to Wh)."""
    return DEFAULT_UNITS.get(measurand or "Energy.Active.Import.Register", "")


def energy_wh(value: str, unit: str | None) -> Decimal | None:
    """An energy reading in Wh (kWh converted); None when unreadable."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError):
        return None
    return amount * 1000 if (unit or "Wh") == "kWh" else amount


def charging_ended_at(meter_values: list[dict[str, Any]]) -> datetime | None:
    """First sample time at which active power dropped to zero (car full: idle time starts)."""
    from mobility.clock import parse_iso

    for mv in meter_values:
        for sv in mv.get("sampled_value") or []:
            if sv.get("measurand") == "Power.Active.Import":
                try:
                    if Decimal(str(sv.get("value"))) <= 0 and mv.get("timestamp"):
                        return parse_iso(mv["timestamp"])
                except (InvalidOperation, ValueError):
                    continue
    return None


def prune(value: Any, schema: dict[str, Any] | None) -> Any:
    """Drop object keys a JSON schema does not declare (recursively), keep everything else."""
    if schema is None:
        return value
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {k: prune(v, props[k]) for k, v in value.items() if k in props}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(v, schema["items"]) for v in value]
    return value
