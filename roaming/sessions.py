"""Roaming drivers' charging sessions as OCPI Sessions (live, cost so far) and CDRs (final)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from billing.facade import Billing, PricedCharging
from billing.pricing import PriceBreakdown
from mobility.clock import utcnow
from mobility.models import (
    Charger,
    ChargingTransaction,
    Connector,
    Hub,
    Invoice,
    InvoiceKind,
    RoamingToken,
    TransactionStatus,
)
from mobility.money import exponent
from roaming import rules
from roaming.locations import Party, tariff_object
from roaming.wire import ocpi_time

# Line components of our price breakdown -> the CDR's cost totals.
_COST_FIELDS = {
    "FLAT": "total_fixed_cost",
    "ENERGY": "total_energy_cost",
    "TIME": "total_time_cost",
    "PARKING_TIME": "total_parking_cost",
    "RESERVATION_FEE": "total_reservation_cost",
    "RESERVATION_TIME": "total_reservation_cost",
}


def _token(s: Session, tx: ChargingTransaction) -> dict[str, Any]:
    """The CdrToken of the partner's token this session was started with."""
    row = s.scalar(
        select(RoamingToken)
        .where(RoamingToken.uid == tx.id_tag, RoamingToken.partner_id == tx.roaming_partner_id)
        .order_by(RoamingToken.valid.desc(), RoamingToken.id)
        .limit(1)
    )
    if row is None:  # the partner deleted it meanwhile: what the charger told us
        return {"uid": tx.id_tag, "type": "RFID", "contract_id": tx.id_tag}
    return {
        "country_code": row.country_code,
        "party_id": row.party_id,
        "uid": row.uid,
        "type": row.type,
        "contract_id": row.contract_id,
    }


def _auth_method(token: dict[str, Any]) -> str:
    # RFID cards are checked against the tokens the partner pushed; app tokens come with a
    # START_SESSION command.
    return "WHITELIST" if token.get("type", "RFID") == "RFID" else "COMMAND"


def _place(s: Session, tx: ChargingTransaction) -> tuple[Charger, Hub | None, Connector | None]:
    charger = s.get(Charger, tx.charger_id)
    assert charger is not None
    hub = s.get(Hub, charger.hub_id) if charger.hub_id else None
    connector = s.scalar(
        select(Connector).where(
            Connector.charger_id == charger.id, Connector.connector_id == tx.connector_id
        )
    )
    return charger, hub, connector


def _price(p: PriceBreakdown) -> dict[str, int | float]:
    return rules.price(p.excl_vat_minor, p.total_minor, exponent(p.currency))


def _common(
    s: Session, tx: ChargingTransaction, priced: PricedCharging, party: Party
) -> dict[str, Any]:
    charger, hub, _ = _place(s, tx)
    token = _token(s, tx)
    return {
        "country_code": party.country_code,
        "party_id": party.party_id,
        "id": str(tx.id),
        "start_date_time": ocpi_time(tx.started_at),
        "cdr_token": token,
        "auth_method": _auth_method(token),
        "location_id": str(hub.id) if hub else "",
        "evse_uid": rules.evse_uid(charger.charge_point_id, tx.connector_id),
        "connector_id": "1",
        "currency": priced.price.currency,
    }


def session_object(
    s: Session, billing: Billing, tx: ChargingTransaction, party: Party, now: datetime | None = None
) -> dict[str, Any]:
    """A roaming session as an OCPI Session: live with its cost so far, or completed."""
    now = now or utcnow()
    priced = billing.priced_charging(s, tx, until=now)
    body = _common(s, tx, priced, party)
    tariff = priced.tariff.code
    body.update(
        kwh=rules.totals(priced.periods)["total_energy"],
        charging_periods=rules.charging_periods(priced.periods, tariff),
        total_cost=_price(priced.price),
        status="COMPLETED" if tx.status == TransactionStatus.COMPLETED else "ACTIVE",
        last_updated=ocpi_time(tx.updated_at),
    )
    if tx.stopped_at is not None:
        body["end_date_time"] = ocpi_time(tx.stopped_at)
    return body


def _cost_totals(p: PriceBreakdown) -> dict[str, dict[str, int | float]]:
    exp = exponent(p.currency)
    sums: dict[str, list[int]] = {}
    for line in p.lines:
        field = _COST_FIELDS.get(line.component)
        if field is not None:
            excl, incl = sums.setdefault(field, [0, 0])
            sums[field] = [
                excl + line.amount_excl_vat_minor,
                incl + line.amount_excl_vat_minor + line.vat_minor,
            ]
    return {field: rules.price(excl, incl, exp) for field, (excl, incl) in sums.items()}


def _cdr_location(s: Session, tx: ChargingTransaction, party: Party) -> dict[str, Any]:
    charger, hub, connector = _place(s, tx)
    standard = connector.standard if connector else "IEC_62196_T2"
    power = connector.max_power_w if connector else None
    p = rules.plug(standard, power or charger.max_power_w)
    cp = charger.charge_point_id
    return {
        "id": str(hub.id) if hub else "",
        "name": hub.name if hub else charger.name,
        "address": hub.street if hub else "",
        "city": hub.city if hub else "",
        "postal_code": hub.postcode if hub else "",
        "country": rules.ALPHA3.get(hub.country.upper(), hub.country) if hub else "",
        "coordinates": {
            "latitude": f"{hub.latitude:.6f}" if hub else "0",
            "longitude": f"{hub.longitude:.6f}" if hub else "0",
        },
        "evse_uid": rules.evse_uid(cp, tx.connector_id),
        "evse_id": rules.evse_id(party.country_code, party.party_id, cp, tx.connector_id),
        "connector_id": "1",
        "connector_standard": standard,
        "connector_format": p.format,
        "connector_power_type": p.power_type,
    }


def cdr_object(
    s: Session, billing: Billing, tx: ChargingTransaction, party: Party
) -> dict[str, Any]:
    """A finished roaming session as its OCPI CDR, priced exactly as we invoice it."""
    assert tx.stopped_at is not None
    priced = billing.priced_charging(s, tx)
    body = _common(s, tx, priced, party)
    body["id"] = str(tx.id)
    body["session_id"] = str(tx.id)
    body["end_date_time"] = ocpi_time(tx.stopped_at)
    body["cdr_location"] = _cdr_location(s, tx, party)
    for key in ("location_id", "evse_uid", "connector_id"):
        del body[key]
    body["tariffs"] = [tariff_object(priced.tariff, party)]
    body["charging_periods"] = rules.charging_periods(priced.periods, priced.tariff.code)
    body["total_cost"] = _price(priced.price)
    body.update(_cost_totals(priced.price))
    body.update(rules.totals(priced.periods))
    invoice = s.scalar(
        select(Invoice.number).where(
            Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
        )
    )
    if invoice is not None:
        body["invoice_reference_id"] = invoice
    body["last_updated"] = ocpi_time(tx.updated_at)
    return body


def _roaming_sessions(partner_id: int, window: rules.Window, completed: bool) -> Select[Any]:
    stmt = select(ChargingTransaction).where(ChargingTransaction.roaming_partner_id == partner_id)
    if completed:
        # A CDR exists once the session is settled (billed); a held one waits for review.
        stmt = stmt.where(
            ChargingTransaction.status == TransactionStatus.COMPLETED,
            ChargingTransaction.billed.is_(True),
        )
    if window.date_from is not None:
        stmt = stmt.where(ChargingTransaction.updated_at >= window.date_from)
    if window.date_to is not None:
        stmt = stmt.where(ChargingTransaction.updated_at < window.date_to)
    return stmt.order_by(ChargingTransaction.id)


def page(
    s: Session,
    billing: Billing,
    partner_id: int,
    party: Party,
    window: rules.Window,
    cdrs: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """One page of a partner's Sessions (or CDRs) and how many match in all."""
    stmt = _roaming_sessions(partner_id, window, completed=cdrs)
    total = s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = s.scalars(stmt.offset(window.offset).limit(window.limit)).all()
    if cdrs:
        return [cdr_object(s, billing, tx, party) for tx in rows], total
    return [session_object(s, billing, tx, party) for tx in rows], total
