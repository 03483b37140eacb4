"""Pure charging decisions, protocol-neutral: ids, token authorisation, units, idle time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from ocpp_server.events import Authorization, MeterSample

_CP_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,64}$")

# Unit of each measurand when the charger names none (the same in OCPP 1.6 and 2.0.1).
DEFAULT_UNITS = {
    "Energy.Active.Import.Register": "Wh",
    "Energy.Active.Export.Register": "Wh",
    "Energy.Active.Import.Interval": "Wh",
    "Power.Active.Import": "W",
    "Power.Offered": "W",
    "Current.Import": "A",
    "Current.Offered": "A",
    "Voltage": "V",
    "SoC": "%",
    "Temperature": "Celsius",
    "Frequency": "Hz",
}
ENERGY_REGISTER = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
# Prefixed units and their base unit with the factor to it.
_SCALED = {"kWh": ("Wh", 1000), "kW": ("W", 1000), "kvarh": ("varh", 1000), "kvar": ("var", 1000)}
_RENAMED = {"Percent": "%"}


# OCPP 1.6 was published in 2015: a charger stamping earlier has a clock that was never set
# (1970 after a power loss); later than a day ahead of us is a clock running wild.
EARLIEST_PLAUSIBLE = datetime(2015, 1, 1, tzinfo=UTC)
AHEAD_TOLERATED = timedelta(days=1)


def plausible_time(at: datetime, now: datetime) -> bool:
    """Whether a charger's timestamp can be believed."""
    return EARLIEST_PLAUSIBLE <= at <= now + AHEAD_TOLERATED


def valid_charge_point_id(cp_id: str) -> bool:
    """Charge point ids are short printable identifiers (no slashes, spaces or control chars)."""
    return bool(_CP_ID.match(cp_id))


def authorization(
    status: str,
    expires_at: datetime | None,
    group_id: str | None,
    now: datetime,
    cache_for: timedelta | None = None,
) -> Authorization:
    """Blocked/Invalid as stored, Expired when past expiry, else Accepted until a cache bound.

    Chargers keep accepted tokens in their authorization cache until the expiry they are given;
    capping it at now + cache_for makes them ask again, so a card blocked here stops working
    offline too.
    """
    if status == "Accepted" and expires_at is not None and expires_at <= now:
        status = "Expired"
    if status == "Accepted" and cache_for is not None:
        cap = now + cache_for
        expires_at = cap if expires_at is None else min(expires_at, cap)
    return Authorization(status=status, expires_at=expires_at, group_id=group_id or None)


def normalised(value: Decimal, unit: str | None, measurand: str) -> tuple[Decimal, str]:
    """A reading in the base unit of its measurand (kWh -> Wh, kW -> W, Percent -> %)."""
    unit = unit or DEFAULT_UNITS.get(measurand, "")
    if unit in _SCALED:
        base, factor = _SCALED[unit]
        return value * factor, base
    return value, _RENAMED.get(unit, unit)


def idle_since(current: datetime | None, samples: Iterable[MeterSample]) -> datetime | None:
    """Start of the trailing stretch without power, given samples in time order.

    Idle (parking) time starts at the last drop to zero power and is cancelled when charging
    resumes: a smart-charging pause or a slow start is not idle time.
    """
    for sample in samples:
        if sample.measurand != POWER:
            continue
        if sample.value > 0:
            current = None
        elif current is None:
            current = sample.timestamp
    return current


# A connector delivers at most its rated power; readings beyond it (with some slack for meter
# clocks) mean a wrong unit or a broken register, not a real session.
POWER_SLACK = Decimal("1.2")
ENERGY_SLACK_WH = 500


def meter_anomaly(
    meter_start_wh: int,
    meter_stop_wh: int,
    duration_s: int,
    max_power_w: int | None,
    mean_power_w: Decimal | None = None,
) -> str | None:
    """Why a session's readings cannot be billed as they are, or None when they are plausible.

    - the stop reading is below the start (meter reset or replaced);
    - more energy than the connector could deliver in the time (kWh sent labelled as Wh, or
      a per-session register taken for a cumulative one);
    - a thousand times less energy than the measured power implies (Wh sent labelled as kWh
      the other way round, or a stuck register).
    """
    energy = meter_stop_wh - meter_start_wh
    if energy < 0:
        return f"stop reading {meter_stop_wh} Wh is below the start {meter_start_wh} Wh"
    hours = Decimal(max(duration_s, 0)) / 3600
    if max_power_w and energy > max_power_w * hours * POWER_SLACK + ENERGY_SLACK_WH:
        return f"{energy} Wh in {hours:.2f} h is more than a {max_power_w} W connector gives"
    if mean_power_w is not None and mean_power_w > 0:
        expected = mean_power_w * hours
        if expected > 1000 and energy * 100 < expected:
            return f"{energy} Wh recorded while measured power implies about {expected:.0f} Wh"
    return None


def prune(value: Any, schema: dict[str, Any] | None, root: dict[str, Any] | None = None) -> Any:
    """Drop object keys a JSON schema does not declare (recursively, following local `$ref`s)."""
    if schema is None:
        return value
    root = root if root is not None else schema
    schema = _resolved(schema, root)
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        return {k: prune(v, props[k], root) for k, v in value.items() if k in props}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [prune(v, schema["items"], root) for v in value]
    return value


def _resolved(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """A schema with its local `#/definitions/...` reference looked up (unknown: as is)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    found: Any = root
    for part in ref[2:].split("/"):
        found = found.get(part) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else schema


def next_seq_no(last: int | None, seq_no: int | None) -> tuple[int | None, str | None]:
    """The highest sequence number seen, and what a new one says about the messages before it.

    Messages may arrive late or be lost (a charger's offline queue); nothing is refused, a gap
    or a late message is only worth a note.
    """
    if seq_no is None:
        return last, None
    if last is None:
        return seq_no, None
    if seq_no > last + 1:
        return seq_no, f"gap: {last + 1}..{seq_no - 1} missing"
    if seq_no <= last:
        return last, f"late: {seq_no} after {last}"
    return seq_no, None


# What an EVSE shows when its connectors differ (2.0.1): in use or reserved beats usable,
# usable beats broken, broken beats switched off.
_EVSE_PRECEDENCE = ("Occupied", "Reserved", "Available", "Faulted", "Unavailable")


def evse_status(connector_statuses: Iterable[str]) -> str:
    """An EVSE's status from its connectors' (only one connector of an EVSE is used at once)."""
    found = set(connector_statuses)
    for status in _EVSE_PRECEDENCE:
        if status in found:
            return status
    return next(iter(sorted(found)), "Unavailable")


def evse_availability(connector_availabilities: Iterable[str]) -> str:
    """An EVSE is Operative while any of its connectors is."""
    found = set(connector_availabilities)
    return "Operative" if "Operative" in found or not found else "Inoperative"
