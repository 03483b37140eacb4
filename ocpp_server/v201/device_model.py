"""OCPP 2.0.1 device-model reports and ISO 15118 charging needs -> neutral values. Pure.

Handlers hand payloads over in snake_case, command answers come back in camelCase: every
reader here accepts both.
"""

from __future__ import annotations

from typing import Any

from mobility.clock import parse_iso
from ocpp_server.events import ChargingNeeds, VariableValue

_KEPT_STATUSES = ("Accepted", "RebootRequired")


def get(d: dict[str, Any] | None, camel: str, snake: str | None = None) -> Any:
    """A field of a payload handed over in camelCase or snake_case."""
    if not d:
        return None
    found = d.get(camel)
    return d.get(snake) if found is None and snake else found


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def where(component: dict[str, Any], variable: dict[str, Any]) -> dict[str, Any]:
    """The key fields of a value: component (instance, EVSE, connector) and variable.

    The same names as ComponentVariable's (and the device-model tables' columns).
    """
    evse = get(component, "evse") or {}
    return {
        "component": str(component.get("name", ""))[:50],
        "component_instance": str(component.get("instance") or "")[:50],
        "evse_id": int(get(evse, "id") or 0),
        "connector_id": int(get(evse, "connectorId", "connector_id") or 0),
        "variable": str(variable.get("name", ""))[:50],
        "variable_instance": str(variable.get("instance") or "")[:50],
    }


def report_values(p: dict[str, Any]) -> tuple[VariableValue, ...]:
    """NotifyReport -> every attribute of every reported variable."""
    out = []
    for item in get(p, "reportData", "report_data") or ():
        place = where(item.get("component") or {}, item.get("variable") or {})
        traits = get(item, "variableCharacteristics", "variable_characteristics") or {}
        for attribute in get(item, "variableAttribute", "variable_attribute") or ():
            out.append(
                VariableValue(
                    **place,
                    value=_text(attribute.get("value"), 2500),
                    attribute_type=str(attribute.get("type") or "Actual"),
                    mutability=_text(attribute.get("mutability"), 10),
                    data_type=_text(get(traits, "dataType", "data_type"), 20),
                    unit=_text(traits.get("unit"), 20),
                )
            )
    return tuple(out)


def got_values(answer: dict[str, Any]) -> tuple[VariableValue, ...]:
    """GetVariables answer -> the values the station could read."""
    return tuple(
        VariableValue(
            **where(r.get("component") or {}, r.get("variable") or {}),
            value=_text(r.get("attributeValue"), 2500),
            attribute_type=str(r.get("attributeType") or "Actual"),
        )
        for r in answer.get("getVariableResult") or ()
        if r.get("attributeStatus") == "Accepted"
    )


def set_values(payload: dict[str, Any], answer: dict[str, Any]) -> tuple[VariableValue, ...]:
    """SetVariables request and answer -> the values the station took (maybe after a reset)."""
    results = {
        (
            tuple(where(r.get("component") or {}, r.get("variable") or {}).values()),
            str(r.get("attributeType") or "Actual"),
        ): r.get("attributeStatus")
        for r in answer.get("setVariableResult") or ()
    }
    out = []
    for d in payload.get("setVariableData") or ():
        place = where(d.get("component") or {}, d.get("variable") or {})
        kind = str(d.get("attributeType") or "Actual")
        status = results.get((tuple(place.values()), kind))
        if status in _KEPT_STATUSES:
            out.append(
                VariableValue(
                    **place,
                    value=_text(d.get("attributeValue"), 2500),
                    attribute_type=kind,
                    reboot_required=status == "RebootRequired",
                )
            )
    return tuple(out)


def charging_needs(p: dict[str, Any]) -> ChargingNeeds:
    """NotifyEVChargingNeeds (snake_case) -> what the vehicle asks for."""
    needs = p.get("charging_needs") or {}
    ac = needs.get("ac_charging_parameters") or {}
    dc = needs.get("dc_charging_parameters") or {}
    departure = needs.get("departure_time")
    energy = ac.get("energy_amount") if ac else dc.get("energy_amount")
    soc = dc.get("state_of_charge")
    power = dc.get("ev_max_power")
    return ChargingNeeds(
        connector_id=int(p.get("evse_id") or 0),
        departure=parse_iso(str(departure)) if departure else None,
        energy_wh=None if energy is None else max(0, int(energy)),
        max_power_w=None if power is None else max(0, int(power)),
        soc_percent=None if soc is None else min(max(int(soc), 0), 100),
        transfer_mode=str(needs.get("requested_energy_transfer") or "")[:20],
    )
