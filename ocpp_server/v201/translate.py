"""OCPP 2.0.1 payloads (snake_case, as the ocpp library hands them over) <-> neutral events. Pure.

EVSEs and connectors: a 2.0.1 `evseId` is the core's `connector_id` (sessions, reservations,
availability and profiles are per EVSE; evse 0 is the station as a whole); the `connectorId`
inside an EVSE is kept beside it (its own status, the connector a session used).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mobility.clock import parse_iso, utcnow
from ocpp_server import ev_schedules, rules
from ocpp_server.events import (
    Authorization,
    EvChargingPlan,
    MeterReport,
    MeterSample,
    ReservationOutcome,
    ReservationTerms,
    StationInfo,
    StatusReport,
    TransactionEnded,
    TransactionStarted,
    TransactionUpdated,
)

PROTOCOL_VERSION = "2.0.1"
RESERVATION_ID_FIELD = "id"
# The group a token belongs to is an id the CSMS defines (2.0.1 IdTokenEnumType "Central").
GROUP_ID_KIND = "Central"
_LARGEST = Decimal("1e13")  # meter values are stored with 14 integer digits
# Periodic readings: only their samples matter; other transaction events are kept whole.
_ROUTINE_TRIGGERS = frozenset({"MeterValuePeriodic", "MeterValueClock"})


def timestamp(raw: Any) -> datetime:
    """A charger's timestamp in UTC; missing or unreadable ones become the time of receipt."""
    if not raw:
        return utcnow()
    try:
        return parse_iso(str(raw))
    except ValueError:
        return utcnow()


def iso(value: datetime) -> str:
    """A time for chargers: UTC with a Z."""
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def station_info(p: dict[str, Any]) -> StationInfo:
    """BootNotificationRequest -> StationInfo."""
    station = p.get("charging_station") or {}
    modem = station.get("modem") or {}
    return StationInfo(
        protocol=PROTOCOL_VERSION,
        vendor=station.get("vendor_name"),
        model=station.get("model"),
        serial_number=station.get("serial_number"),
        firmware_version=station.get("firmware_version"),
        iccid=modem.get("iccid"),
        imsi=modem.get("imsi"),
    )


def status_report(p: dict[str, Any]) -> StatusReport:
    """StatusNotificationRequest -> StatusReport (evseId is the core's connector id, the
    connectorId the connector inside it)."""
    return StatusReport(
        connector_id=int(p["evse_id"]),
        status=str(p["connector_status"]),
        timestamp=timestamp(p.get("timestamp")),
        evse_connector_id=int(p["connector_id"]),
    )


def id_token(p: dict[str, Any] | None) -> str | None:
    """The token string of an IdTokenType (its type is not needed: tokens are keyed by string)."""
    if not p or p.get("id_token") is None:
        return None
    return str(p["id_token"])


def id_token_info(auth: Authorization) -> dict[str, Any]:
    """Authorization -> IdTokenInfoType (cacheExpiryDateTime bounds the charger's cache)."""
    info: dict[str, Any] = {"status": auth.status}
    if auth.expires_at is not None:
        info["cache_expiry_date_time"] = iso(auth.expires_at)
    if auth.group_id:
        info["group_id_token"] = {"id_token": auth.group_id, "type": GROUP_ID_KIND}
    return info


def _value(sv: dict[str, Any]) -> tuple[Decimal, str | None] | None:
    """A sampled value scaled by its multiplier (a power of ten), with its unit."""
    try:
        raw = Decimal(str(sv["value"]))
    except (InvalidOperation, KeyError):
        return None
    if not raw.is_finite():
        return None
    unit = sv.get("unit_of_measure") or {}
    multiplier = unit.get("multiplier") or 0
    return raw.scaleb(int(multiplier)), unit.get("unit")


def _sample(ts: datetime, sv: dict[str, Any]) -> MeterSample | None:
    read = _value(sv)
    if read is None:
        return None
    measurand = sv.get("measurand") or rules.ENERGY_REGISTER
    value, unit = rules.normalised(read[0], read[1], measurand)
    if abs(value) >= _LARGEST:
        return None
    return MeterSample(
        timestamp=ts,
        measurand=measurand,
        value=value,
        unit=unit,
        phase=sv.get("phase"),
        context=sv.get("context"),
        location=sv.get("location"),
    )


def samples(meter_values: list[dict[str, Any]] | None) -> tuple[MeterSample, ...]:
    """MeterValueType list -> normalised samples; unreadable values are skipped, the rest kept."""
    out = []
    for mv in meter_values or []:
        ts = timestamp(mv.get("timestamp"))
        for sv in mv.get("sampled_value") or []:
            sample = _sample(ts, sv)
            if sample is not None:
                out.append(sample)
    return tuple(out)


def register_wh(found: tuple[MeterSample, ...], context: str) -> int | None:
    """The energy register reading of a transaction's start or end (None when not sent).

    Readings taken for that moment (`context`) win; otherwise the latest total one.
    """
    registers = [
        m
        for m in found
        if m.measurand == rules.ENERGY_REGISTER and m.unit == "Wh" and m.phase is None
    ]
    if not registers:
        return None
    preferred = [m for m in registers if m.context == context] or registers
    return int(max(preferred, key=lambda m: m.timestamp).value)


def meter_report(p: dict[str, Any]) -> MeterReport:
    """MeterValuesRequest (outside transactions; evse 0 is the main meter) -> MeterReport."""
    return MeterReport(connector_id=int(p["evse_id"]), samples=samples(p.get("meter_value")))


def event_type(p: dict[str, Any]) -> str:
    """Started, Updated or Ended."""
    return str(p["event_type"])


def transaction_ref(p: dict[str, Any]) -> str:
    """The station's id of the transaction an event belongs to."""
    return str(p["transaction_info"]["transaction_id"])


def evse_id(p: dict[str, Any]) -> int:
    """The EVSE of a transaction event (0 when the station did not say)."""
    evse = p.get("evse") or {}
    return int(evse.get("id") or 0)


def evse_connector_id(p: dict[str, Any]) -> int | None:
    """The connector inside the EVSE of a transaction event (None when not said)."""
    connector = (p.get("evse") or {}).get("connector_id")
    return None if connector is None else int(connector)


def started(p: dict[str, Any]) -> TransactionStarted:
    """TransactionEventRequest (Started) -> TransactionStarted; a token may come later."""
    reservation = p.get("reservation_id")
    return TransactionStarted(
        connector_id=evse_id(p),
        id_token=id_token(p.get("id_token")) or "",
        meter_start_wh=register_wh(samples(p.get("meter_value")), "Transaction.Begin") or 0,
        timestamp=timestamp(p.get("timestamp")),
        transaction_ref=transaction_ref(p),
        reservation_id=int(reservation) if reservation is not None else None,
        seq_no=int(p["seq_no"]),
        evse_connector_id=evse_connector_id(p),
    )


def updated(p: dict[str, Any]) -> TransactionUpdated:
    """TransactionEventRequest (Updated) -> TransactionUpdated."""
    return TransactionUpdated(
        transaction_ref=transaction_ref(p),
        timestamp=timestamp(p.get("timestamp")),
        seq_no=int(p["seq_no"]),
        id_token=id_token(p.get("id_token")),
        samples=samples(p.get("meter_value")),
        connector_id=evse_id(p),
        evse_connector_id=evse_connector_id(p),
    )


def update_report(p: dict[str, Any]) -> MeterReport:
    """The readings and sequence number of a transaction event, for the write-behind queue."""
    return MeterReport(
        connector_id=evse_id(p),
        samples=samples(p.get("meter_value")),
        transaction_ref=transaction_ref(p),
        seq_no=int(p["seq_no"]),
        evse_connector_id=evse_connector_id(p),
    )


def ended(p: dict[str, Any]) -> TransactionEnded:
    """TransactionEventRequest (Ended) -> TransactionEnded (the station chose the id)."""
    found = samples(p.get("meter_value"))
    return TransactionEnded(
        transaction_ref=transaction_ref(p),
        meter_stop_wh=register_wh(found, "Transaction.End"),
        timestamp=timestamp(p.get("timestamp")),
        reason=p["transaction_info"].get("stopped_reason"),
        id_token=id_token(p.get("id_token")),
        samples=found,
        seq_no=int(p["seq_no"]),
        csms_assigned_ref=False,
    )


def worth_keeping(p: dict[str, Any]) -> bool:
    """Whether a transaction event is kept whole (trigger, offline flag): all but routine ones."""
    return (
        event_type(p) != "Updated"
        or bool(p.get("offline"))
        or p.get("trigger_reason") not in _ROUTINE_TRIGGERS
    )


def reservation_terms(p: dict[str, Any]) -> ReservationTerms:
    """ReserveNowRequest (camelCase, as the operator sends it) -> ReservationTerms."""
    return ReservationTerms(
        connector_id=int(p.get("evseId") or 0),
        id_token=str(p["idToken"]["idToken"]),
        expires_at=parse_iso(str(p["expiryDateTime"])),
    )


def reservation_update(p: dict[str, Any]) -> ReservationOutcome:
    """ReservationStatusUpdateRequest -> the reservation's new state (expired or cancelled)."""
    status = "expired" if p["reservation_update_status"] == "Expired" else "cancelled"
    return ReservationOutcome(int(p["reservation_id"]), status)


def ev_charging_plan(p: dict[str, Any]) -> EvChargingPlan:
    """NotifyEVChargingScheduleRequest -> the vehicle's schedule in watts from its time base."""
    schedule = p["charging_schedule"]
    unit = str(schedule.get("charging_rate_unit", "W"))
    return EvChargingPlan(
        connector_id=int(p["evse_id"]),
        time_base=timestamp(p.get("time_base")),
        periods_w=tuple(
            (
                int(period["start_period"]),
                round(ev_schedules.to_watts(period["limit"], unit, period.get("number_phases"))),
            )
            for period in schedule.get("charging_schedule_period") or ()
        ),
    )
