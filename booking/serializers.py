"""JSON shapes of hubs, vehicles, price lists, bookings, trips, quotes and invoices."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Row

from billing.facade import Charge
from billing.pricing import PriceBreakdown
from billing.tariff_summary import Cap, ComponentPrice, TariffSummary
from billing.tariffs import DAYS, Restrictions
from booking.rules import PickupRange
from mobility.models import Booking, Hub, Invoice, Trip, Vehicle
from mobility.models.hubs import estimated_range_km
from mobility.money import plain, unit_amount


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def hub(h: Hub, vehicles: list[Vehicle] | None = None) -> dict[str, Any]:
    """A hub (with its vehicles when given)."""
    out: dict[str, Any] = {
        "id": h.id,
        "slug": h.slug,
        "name": h.name,
        "district": h.district,
        "address": f"{h.street}, {h.postcode} {h.city}",
        "latitude": str(h.latitude),
        "longitude": str(h.longitude),
        "opening_hours": h.opening_hours,
    }
    if vehicles is not None:
        out["vehicles"] = [vehicle(v) for v in vehicles]
    return out


def vehicle(v: Vehicle | Row[Any]) -> dict[str, Any]:
    """A vehicle (ORM object or a row of the vehicles table) with charge and range."""
    return {
        "id": v.id,
        "code": v.code,
        "kind": v.kind,
        "model": v.model,
        "hub_id": v.hub_id,
        "state": v.state,
        "soc_percent": v.soc_percent,
        "range_km": estimated_range_km(v.max_range_km, v.soc_percent),
        "seats": v.seats,
        "plate": v.plate,
    }


def _price(amount: Decimal | None, currency: str) -> str | None:
    """A price in major units as a string, with the digits the vehicle page shows ('0.125')."""
    return None if amount is None else f"{unit_amount(amount, currency):f}"


def _condition(value: Any) -> Any:
    """One restriction as OCPI writes it (days by name, times HH:MM, decimals as strings)."""
    if isinstance(value, frozenset):
        return [DAYS[d] for d in sorted(value)]
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return plain(value)
    return value if isinstance(value, int) else str(value)


def restrictions(r: Restrictions) -> dict[str, Any]:
    """When a price applies: the OCPI TariffRestrictions fields that are set."""
    return {
        f.name: _condition(value) for f in fields(r) if (value := getattr(r, f.name)) is not None
    }


def _component(c: ComponentPrice, currency: str) -> dict[str, Any]:
    return {
        "dimension": c.dimension,
        "unit": c.unit,
        "price_incl_vat": _price(c.incl_vat, currency),
        "price_excl_vat": _price(c.excl_vat, currency),
        "vat_percent": plain(c.vat_percent),
        "step": c.step if c.step > 1 else None,
        "step_unit": c.step_unit if c.step > 1 else None,
        "restrictions": restrictions(c.restrictions) if c.restricted else None,
    }


def _cap(cap: Cap, currency: str) -> dict[str, Any]:
    return {
        "kind": cap.kind,
        "amount_incl_vat": _price(cap.incl_vat, currency),
        "amount_excl_vat": _price(cap.excl_vat, currency),
    }


def price_list(p: TariffSummary) -> dict[str, Any]:
    """A tariff as the vehicle page lists it: every price per unit, every bound, the VAT rates."""
    return {
        "tariff": p.code,
        "currency": p.currency,
        "components": [_component(c, p.currency) for c in p.components],
        "caps": [_cap(cap, p.currency) for cap in p.caps],
        "vat_percents": [plain(rate) for rate in p.vat_percents],
    }


def pickup(p: PickupRange, at: datetime) -> dict[str, Any]:
    """Charge and range expected when the vehicle is picked up at `at`."""
    consumption = p.consumption_kwh_per_100km
    return {
        "at": _iso(at),
        "soc_percent": p.soc_percent,
        "range_km": p.range_km,
        "source": "charging_plan" if p.planned else "last_reading",
        "consumption_kwh_per_100km": None if consumption is None else plain(consumption),
    }


def quote(q: PriceBreakdown) -> dict[str, Any]:
    """An itemised price."""
    return {
        "currency": q.currency,
        "tariff": q.tariff_code,
        "total_minor": q.total_minor,
        "excl_vat_minor": q.excl_vat_minor,
        "vat_minor": q.vat_minor,
        "lines": [
            {
                "description": ln.description,
                "component": ln.component,
                "quantity": str(ln.quantity),
                "unit": ln.unit,
                "amount_excl_vat_minor": ln.amount_excl_vat_minor,
                "vat_percent": str(ln.vat_percent),
                "vat_minor": ln.vat_minor,
            }
            for ln in q.lines
        ],
    }


def booking(b: Booking, charge: Charge | None = None) -> dict[str, Any]:
    """A booking, with what it was charged once invoiced (the quote is only an estimate)."""
    return {
        "id": b.id,
        "vehicle_id": b.vehicle_id,
        "hub_id": b.hub_id,
        "status": b.status,
        "start": _iso(b.start_at),
        "end": _iso(b.end_at),
        "company_id": b.company_id,
        "quote_minor": b.quote_minor,
        "currency": b.currency,
        "cancel_fee_minor": b.cancel_fee_minor,
        "min_soc_percent": b.min_soc_percent,
        "charged": None
        if charge is None
        else {
            "invoice": charge.invoice_number,
            "kind": charge.kind,
            "invoiced_minor": charge.invoiced_minor,
            "collected_minor": charge.collected_minor,
            "status": charge.status,
        },
    }


def trip(t: Trip) -> dict[str, Any]:
    """A trip."""
    return {
        "id": t.id,
        "booking_id": t.booking_id,
        "vehicle_id": t.vehicle_id,
        "status": t.status,
        "started_at": _iso(t.started_at),
        "ended_at": _iso(t.ended_at),
        "start_hub_id": t.start_hub_id,
        "end_hub_id": t.end_hub_id,
        "duration_s": t.duration_s,
        "distance_km": str(t.distance_km) if t.distance_km else None,
        "start_soc_percent": t.start_soc_percent,
        "end_soc_percent": t.end_soc_percent,
        "price_minor": t.price_minor,
        "currency": t.currency,
    }


def invoice(i: Invoice) -> dict[str, Any]:
    """An invoice with its lines."""
    return {
        "number": i.number,
        "kind": i.kind,
        "status": i.status,
        "currency": i.currency,
        "issued_at": _iso(i.issued_at),
        "total_minor": i.total_minor,
        "excl_vat_minor": i.total_excl_vat_minor,
        "vat_minor": i.vat_minor,
        "bill_to": i.bill_to,
        "lines": [
            {
                "description": ln.description,
                "component": ln.component,
                "quantity": str(ln.quantity),
                "unit": ln.unit,
                "amount_excl_vat_minor": ln.amount_excl_vat_minor,
                "vat_percent": str(ln.vat_percent),
                "vat_minor": ln.vat_minor,
            }
            for ln in i.lines
        ],
    }
