"""OCPP 1.6 payloads (snake_case, as the ocpp library hands them over) <-> neutral events. Pure."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mobility.clock import parse_iso, utcnow
from ocpp_server import rules
from ocpp_server.events import (
    Authorization,
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


def timestamp(raw: Any) -> datetime:
    """A charger's timestamp in UTC; missing or unreadable ones become the time of receipt."""
    if not raw:
        return utcnow()
    try:
        return parse_iso(str(raw))
    except ValueError:
        return utcnow()


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
    return TransactionStarted(
        connector_id=int(p["connector_id"]),
        id_token=str(p["id_tag"]),
        meter_start_wh=int(p["meter_start"]),
        timestamp=timestamp(p.get("timestamp")),
        reservation_id=int(reservation) if reservation is not None else None,
    )


def ended(p: dict[str, Any]) -> TransactionEnded:
    """StopTransaction.req -> TransactionEnded."""
    return TransactionEnded(
        transaction_ref=str(int(p["transaction_id"])),
        meter_stop_wh=int(p["meter_stop"]),
        timestamp=timestamp(p.get("timestamp")),
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
    return ReservationTerms(
        connector_id=int(p["connectorId"]),
        id_token=str(p["idTag"]),
        expires_at=parse_iso(str(p["expiryDate"])),
    )
