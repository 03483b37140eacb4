"""JSON shapes of hubs, vehicles, bookings, trips, quotes and invoices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row

from billing.facade import Charge
from billing.pricing import PriceBreakdown
from mobility.models import Booking, Hub, Invoice, Trip, Vehicle
from mobility.models.hubs import estimated_range_km


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
