"""OCPP 1.6 payloads (snake_case, as the ocpp library hands them over) <-> neutral events. Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mobility.clock import parse_iso, utcnow
from ocpp_server import rules
from ocpp_server.authlist import ListUpdate
from ocpp_server.events import (
    Authorization,
    ConfigurationReported,
    ConfigurationValue,
    LocalListEntryInfo,
    LocalListSent,
    MeterReport,
    MeterSample,
    ReservationTerms,
    StationInfo,
    StatusReport,
    TransactionEnded,
    TransactionStarted,
)

PROTOCOL_VERSION = "1.6"
_LARGEST = Decimal("1e13")  # meter values are stored with 14 integer digits


def checked_timestamp(raw: Any) -> tuple[datetime, str | None]:
    """A charger's timestamp in UTC, and a note when it could not be believed.

    Chargers send stamps without a zone (taken as UTC), with `+02` offsets, or from a clock
    not yet set after boot (1970): missing, unreadable and implausible ones become the time
    of receipt, with a note saying what was sent.
    """
    now = utcnow()
    if not raw:
        return now, None
    try:
        parsed = parse_iso(str(raw))
    except ValueError:
        return now, f"unreadable timestamp {str(raw)[:40]!r}"
    if not rules.plausible_time(parsed, now):
        return now, f"implausible timestamp {str(raw)[:40]!r} (charger clock not set?)"
    return parsed, None


def timestamp(raw: Any) -> datetime:
    """`checked_timestamp` without the note."""
    return checked_timestamp(raw)[0]


def station_info(p: dict[str, Any]) -> StationInfo:
    """BootNotification.req -> StationInfo."""
    return StationInfo(
        protocol=PROTOCOL_VERSION,
        vendor=p.get("charge_point_vendor"),
        model=p.get("charge_point_model"),
        serial_number=p.get("charge_point_serial_number") or p.get("charge_box_serial_number"),
        firmware_version=p.get("firmware_version"),
        iccid=p.get("iccid"),
        imsi=p.get("imsi"),
        meter_type=p.get("meter_type"),
        meter_serial_number=p.get("meter_serial_number"),
    )


def status_report(p: dict[str, Any]) -> StatusReport:
    """StatusNotification.req -> StatusReport."""
    return StatusReport(
        connector_id=int(p["connector_id"]),
        status=str(p["status"]),
        timestamp=timestamp(p.get("timestamp")),
        error_code=str(p.get("error_code", "NoError")),
        info=p.get("info"),
        vendor_id=p.get("vendor_id"),
        vendor_error_code=p.get("vendor_error_code"),
    )


def samples(meter_values: list[dict[str, Any]]) -> tuple[MeterSample, ...]:
    """MeterValue list -> normalised samples; unreadable values are skipped, the rest kept."""
    out = []
    for mv in meter_values:
        ts = timestamp(mv.get("timestamp"))
        for sv in mv.get("sampled_value") or []:
            try:
                raw = Decimal(str(sv["value"]))
            except (InvalidOperation, KeyError):
                continue
            if not raw.is_finite():
                continue
            measurand = sv.get("measurand") or rules.ENERGY_REGISTER
            value, unit = rules.normalised(raw, sv.get("unit"), measurand)
            if abs(value) >= _LARGEST:
                continue
            out.append(
                MeterSample(
                    timestamp=ts,
                    measurand=measurand,
                    value=value,
                    unit=unit,
                    phase=sv.get("phase"),
                    context=sv.get("context"),
                    location=sv.get("location"),
                    raw_format=sv.get("format"),
                )
            )
    return tuple(out)


def _ref(raw: Any) -> str | None:
    return None if raw is None else str(int(raw))


def meter_report(p: dict[str, Any]) -> MeterReport:
    """MeterValues.req -> MeterReport."""
    return MeterReport(
        connector_id=int(p["connector_id"]),
        samples=samples(p.get("meter_value") or []),
        transaction_ref=_ref(p.get("transaction_id")),
    )


def started(p: dict[str, Any]) -> TransactionStarted:
    """StartTransaction.req -> TransactionStarted (the CSMS assigns the id in 1.6)."""
    reservation = p.get("reservation_id")
    at, note = checked_timestamp(p.get("timestamp"))
    return TransactionStarted(
        connector_id=int(p["connector_id"]),
        id_token=str(p["id_tag"]),
        meter_start_wh=int(p["meter_start"]),
        timestamp=at,
        reservation_id=int(reservation) if reservation is not None else None,
        clock_note=note,
    )


def ended(p: dict[str, Any]) -> TransactionEnded:
    """StopTransaction.req -> TransactionEnded."""
    at, note = checked_timestamp(p.get("timestamp"))
    return TransactionEnded(
        transaction_ref=str(int(p["transaction_id"])),
        meter_stop_wh=int(p["meter_stop"]),
        timestamp=at,
        clock_note=note,
        reason=p.get("reason"),
        id_token=p.get("id_tag"),
        samples=samples(p.get("transaction_data") or []),
        csms_assigned_ref=True,
    )


def id_tag_info(auth: Authorization) -> dict[str, Any]:
    """Authorization -> IdTagInfo (expiryDate bounds the charger's authorization cache)."""
    info: dict[str, Any] = {"status": auth.status}
    if auth.expires_at is not None:
        info["expiry_date"] = auth.expires_at.isoformat()
    if auth.group_id:
        info["parent_id_tag"] = auth.group_id
    return info


RESERVATION_ID_FIELD = "reservationId"


def reservation_terms(p: dict[str, Any]) -> ReservationTerms:
    """ReserveNow.req (camelCase, as the operator sends it) -> ReservationTerms."""
    parent = p.get("parentIdTag")
    return ReservationTerms(
        connector_id=int(p["connectorId"]),
        id_token=str(p["idTag"]),
        expires_at=parse_iso(str(p["expiryDate"])),
        parent_id_token=str(parent) if parent else None,
    )


def lenient_call(action: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A charger's call (camelCase) with the slips real chargers make mended before validation.

    Meter values sent as JSON numbers instead of strings are turned into strings.
    """
    key = {"MeterValues": "meterValue", "StopTransaction": "transactionData"}.get(action)
    readings = payload.get(key) if key else None
    if key is None or not isinstance(readings, list):
        return payload
    mended = []
    for mv in readings:
        if isinstance(mv, dict) and isinstance(mv.get("sampledValue"), list):
            mv = {**mv, "sampledValue": [_value_as_text(sv) for sv in mv["sampledValue"]]}
        mended.append(mv)
    return {**payload, key: mended}


def _value_as_text(sv: Any) -> Any:
    value = sv.get("value") if isinstance(sv, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {**sv, "value": str(value)}
    return sv


def local_list_payload(update: ListUpdate) -> dict[str, Any]:
    """SendLocalList.req (camelCase) for a planned update; entries without status are removals."""
    items = []
    for e in update.entries:
        item: dict[str, Any] = {"idTag": e.id_tag}
        if e.status is not None:
            info: dict[str, Any] = {"status": e.status}
            if e.expires_at is not None:
                info["expiryDate"] = e.expires_at.isoformat()
            if e.parent_id_tag:
                info["parentIdTag"] = e.parent_id_tag
            item["idTagInfo"] = info
        items.append(item)
    return {
        "listVersion": update.version,
        "updateType": "Full" if update.full else "Differential",
        "localAuthorizationList": items,
    }


def local_list_sent(payload: dict[str, Any], status: str) -> LocalListSent:
    """SendLocalList.req (camelCase, whoever sent it) and the charger's answer status."""
    entries = []
    for item in payload.get("localAuthorizationList") or []:
        info = item.get("idTagInfo")
        if not isinstance(info, dict):
            entries.append(LocalListEntryInfo(str(item["idTag"]), None))
            continue
        expiry = info.get("expiryDate")
        entries.append(
            LocalListEntryInfo(
                str(item["idTag"]),
                str(info.get("status", "Accepted")),
                parse_iso(str(expiry)) if expiry else None,
                info.get("parentIdTag") or None,
            )
        )
    return LocalListSent(
        version=int(payload["listVersion"]),
        full=payload.get("updateType") == "Full",
        entries=tuple(entries),
        status=status,
    )


def configuration_report(request: dict[str, Any], answer: dict[str, Any]) -> ConfigurationReported:
    """GetConfiguration.req and .conf (camelCase) -> the keys to store."""
    values = tuple(
        ConfigurationValue(
            key=str(item["key"]),
            value=None if item.get("value") is None else str(item["value"]),
            readonly=item.get("readonly"),
        )
        for item in answer.get("configurationKey") or []
        if isinstance(item, dict) and "key" in item
    )
    unknown = tuple(str(k) for k in answer.get("unknownKey") or [])
    return ConfigurationReported(values, unknown, complete=not request.get("key"))
