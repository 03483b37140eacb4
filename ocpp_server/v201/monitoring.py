"""OCPP 2.0.1 monitoring and customer information <-> neutral values. Pure.

Command payloads and answers come in camelCase, station messages in snake_case (as the
ocpp library hands them over); readers accept both through `device_model.get`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ocpp_server.events import (
    CommandEffect,
    ComponentVariable,
    CustomerInformationReport,
    DeviceEventReport,
    Monitor,
    MonitorsCleared,
    MonitorsSet,
    VariablesReported,
    VariableValue,
)
from ocpp_server.v201.device_model import get, where
from ocpp_server.v201.translate import timestamp

MONITORING_CTRLR = "MonitoringCtrlr"
# Clears custom monitors and disables preconfigured ones (MonitoringBaseEnumType).
HARD_WIRED_ONLY = "HardWiredOnly"
# A monitor cleared or unknown to the station is gone either way.
_GONE = ("Accepted", "NotFound")


def _target(item: dict[str, Any]) -> ComponentVariable:
    return ComponentVariable(**where(item.get("component") or {}, item.get("variable") or {}))


def _value(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(f"unreadable monitor value {raw!r}") from None


def _key(item: dict[str, Any]) -> tuple[Any, ...]:
    return (_target(item), item.get("type"), int(item.get("severity", -1)))


def monitors_set(payload: dict[str, Any], answer: dict[str, Any]) -> tuple[Monitor, ...]:
    """SetVariableMonitoring request and answer -> the monitors installed, with the ids the
    station gave them (results are matched to requests by component, variable, type and
    severity: a result carries no value)."""
    asked: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for item in payload.get("setMonitoringData") or ():
        asked.setdefault(_key(item), []).append(item)
    out = []
    for result in answer.get("setMonitoringResult") or ():
        matching = asked.get(_key(result)) or []
        if result.get("status") != "Accepted" or result.get("id") is None or not matching:
            continue
        item = matching.pop(0)
        out.append(
            Monitor(
                monitor_id=int(result["id"]),
                target=_target(item),
                monitor_type=str(item["type"]),
                value=_value(item["value"]),
                severity=int(item["severity"]),
                transaction_only=bool(item.get("transaction", False)),
            )
        )
    return tuple(out)


def monitors_reported(p: dict[str, Any]) -> tuple[Monitor, ...]:
    """NotifyMonitoringReport -> every monitor of every reported variable."""
    return tuple(
        Monitor(
            monitor_id=int(m["id"]),
            target=_target(item),
            monitor_type=str(m["type"]),
            value=_value(m["value"]),
            severity=int(m["severity"]),
            transaction_only=bool(m.get("transaction", False)),
        )
        for item in p.get("monitor") or ()
        for m in get(item, "variableMonitoring", "variable_monitoring") or ()
    )


def effects(action: str, payload: dict[str, Any], answer: dict[str, Any]) -> list[CommandEffect]:
    """What an answered monitoring command changes in our records (camelCase, as sent)."""
    accepted = answer.get("status") == "Accepted"
    if action == "SetVariableMonitoring":
        return [MonitorsSet(monitors_set(payload, answer))]
    if action == "ClearVariableMonitoring":
        gone = [r["id"] for r in answer.get("clearMonitoringResult") or () if r["status"] in _GONE]
        return [MonitorsCleared(tuple(int(i) for i in gone))]
    if action == "SetMonitoringBase" and accepted:
        base = str(payload["monitoringBase"])
        found: list[CommandEffect] = [_controller("ActiveMonitoringBase", base)]
        return found + ([MonitorsCleared(None)] if base == HARD_WIRED_ONLY else [])
    if action == "SetMonitoringLevel" and accepted:
        return [_controller("ActiveMonitoringLevel", str(int(payload["severity"])))]
    return []


def _controller(variable: str, value: str) -> VariablesReported:
    """The MonitoringCtrlr device-model variable a monitoring command set."""
    return VariablesReported((VariableValue(MONITORING_CTRLR, variable, value),))


def device_events(p: dict[str, Any]) -> tuple[DeviceEventReport, ...]:
    """NotifyEvent -> its events."""
    return tuple(_event(e) for e in p.get("event_data") or ())


def _event(e: dict[str, Any]) -> DeviceEventReport:
    cause, monitor = e.get("cause"), e.get("variable_monitoring_id")
    return DeviceEventReport(
        event_id=int(e["event_id"]),
        timestamp=timestamp(e.get("timestamp")),
        trigger=str(e["trigger"]),
        notification_type=str(e["event_notification_type"]),
        target=_target(e),
        actual_value=str(e.get("actual_value", ""))[:2500],
        cause=None if cause is None else int(cause),
        tech_code=e.get("tech_code"),
        tech_info=e.get("tech_info"),
        cleared=e.get("cleared"),
        transaction_ref=e.get("transaction_id"),
        monitor_id=None if monitor is None else int(monitor),
    )


def customer_information(p: dict[str, Any]) -> CustomerInformationReport:
    """NotifyCustomerInformation -> one part of the answer to a CustomerInformation request."""
    return CustomerInformationReport(
        request_id=int(p["request_id"]),
        seq_no=int(p["seq_no"]),
        data=str(p["data"])[:512],
        tbc=bool(p.get("tbc", False)),
        generated_at=timestamp(p.get("generated_at")),
    )
