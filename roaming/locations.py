"""Our public chargers as OCPI Locations, EVSEs and Connectors; our tariffs as OCPI Tariffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.facade import find_tariff
from mobility.errors import NotFound
from mobility.models import Charger, Connector, Hub, Tariff, TariffScope
from roaming import rules
from roaming.wire import number, ocpi_time

_NUMERIC_RESTRICTIONS = (
    "min_kwh", "max_kwh", "min_current", "max_current", "min_power", "max_power",
)  # fmt: skip


@dataclass(frozen=True)
class Party:
    """Who owns the objects we publish (our CPO country code and party id)."""

    country_code: str
    party_id: str


def _component(raw: dict[str, Any], default_vat: Any) -> dict[str, Any]:
    # Ours: a component without vat takes the tariff's rate; OCPI: without vat means none.
    vat = raw.get("vat") if raw.get("vat") is not None else default_vat
    return {
        "type": raw["type"],
        "price": number(rules.decimal(raw["price"])),
        "vat": number(rules.decimal(vat)),
        "step_size": int(raw.get("step_size", 1)),
    }


def _restrictions(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        k: number(rules.decimal(v)) if k in _NUMERIC_RESTRICTIONS and v is not None else v
        for k, v in raw.items()
    }


def tariff_object(t: Tariff, party: Party) -> dict[str, Any]:
    """Our stored tariff as an OCPI Tariff (the elements are already OCPI-shaped)."""
    elements = []
    for element in t.elements:
        out: dict[str, Any] = {
            "price_components": [
                _component(c, t.default_vat_percent) for c in element["price_components"]
            ]
        }
        if element.get("restrictions"):
            out["restrictions"] = _restrictions(element["restrictions"])
        elements.append(out)
    body: dict[str, Any] = {
        "country_code": party.country_code,
        "party_id": party.party_id,
        "id": t.code,
        "currency": t.currency,
        "tariff_alt_text": [{"language": "en", "text": t.name}],
        "elements": elements,
    }
    if t.min_price_excl_vat is not None:
        body["min_price"] = {"excl_vat": number(t.min_price_excl_vat)}
    if t.max_price_excl_vat is not None:
        body["max_price"] = {"excl_vat": number(t.max_price_excl_vat)}
    if t.valid_from is not None:
        body["start_date_time"] = ocpi_time(t.valid_from)
    if t.valid_to is not None:
        body["end_date_time"] = ocpi_time(t.valid_to)
    body["last_updated"] = ocpi_time(t.updated_at)
    return body


def public_tariffs(s: Session) -> list[Tariff]:
    """Charging tariffs anyone may be charged (negotiated company tariffs are not published)."""
    return list(
        s.scalars(
            select(Tariff)
            .where(
                Tariff.scope == TariffScope.CHARGING,
                Tariff.company_id.is_(None),
                Tariff.is_active,
            )
            .order_by(Tariff.id)
        )
    )


def _tariff_code(s: Session, charger: Charger) -> list[str]:
    try:
        return [find_tariff(s, TariffScope.CHARGING, tariff_id=charger.tariff_id).code]
    except NotFound:
        return []


def _connector(charger: Charger, c: Connector, tariffs: list[str]) -> dict[str, Any]:
    p = rules.plug(c.standard, c.max_power_w or charger.max_power_w)
    return {
        "id": "1",  # one OCPP connector is one EVSE with one connector
        "standard": c.standard,
        "format": p.format,
        "power_type": p.power_type,
        "max_voltage": p.max_voltage,
        "max_amperage": p.max_amperage,
        "max_electric_power": p.max_electric_power,
        "tariff_ids": tariffs,
        "last_updated": ocpi_time(_evse_time(charger, c)),
    }


def _evse_time(charger: Charger, c: Connector) -> datetime:
    return max(t for t in (charger.updated_at, c.status_at) if t is not None)


def _evse(party: Party, charger: Charger, c: Connector, tariffs: list[str]) -> dict[str, Any]:
    cp = charger.charge_point_id
    return {
        "uid": rules.evse_uid(cp, c.connector_id),
        "evse_id": rules.evse_id(party.country_code, party.party_id, cp, c.connector_id),
        "status": rules.evse_status(c.status, charger.is_online),
        "capabilities": rules.CAPABILITIES,
        "connectors": [_connector(charger, c, tariffs)],
        "last_updated": ocpi_time(_evse_time(charger, c)),
    }


def location_id(hub: Hub) -> str:
    """Location.id of a hub."""
    return str(hub.id)


def location_object(s: Session, hub: Hub, chargers: list[Charger], party: Party) -> dict[str, Any]:
    """A hub as an OCPI Location, each public charger's connectors as its EVSEs."""
    evses, times = [], [hub.updated_at]
    for charger in chargers:
        tariffs = _tariff_code(s, charger)
        for c in charger.connectors:
            if c.connector_id >= 1:
                evses.append(_evse(party, charger, c, tariffs))
                times.append(_evse_time(charger, c))
    return {
        "country_code": party.country_code,
        "party_id": party.party_id,
        "id": location_id(hub),
        "publish": True,
        "name": hub.name,
        "address": hub.street,
        "city": hub.city,
        "postal_code": hub.postcode,
        "country": rules.ALPHA3.get(hub.country.upper(), hub.country.upper()),
        "coordinates": {"latitude": f"{hub.latitude:.6f}", "longitude": f"{hub.longitude:.6f}"},
        "evses": evses,
        "time_zone": hub.timezone,
        "opening_times": rules.opening_times(hub.opening_hours),
        "last_updated": ocpi_time(max(times)),
    }


def all_locations(s: Session, party: Party) -> list[dict[str, Any]]:
    """Every active hub with public chargers as a Location, in a stable order."""
    chargers = s.scalars(
        select(Charger)
        .join(Hub, Hub.id == Charger.hub_id)
        .where(Charger.is_public, Hub.is_active)
        .order_by(Charger.hub_id, Charger.id)
    ).all()
    by_hub: dict[int, list[Charger]] = {}
    for charger in chargers:
        assert charger.hub_id is not None
        by_hub.setdefault(charger.hub_id, []).append(charger)
    hubs = s.scalars(select(Hub).where(Hub.id.in_(by_hub)).order_by(Hub.id)).all()
    return [location_object(s, hub, by_hub[hub.id], party) for hub in hubs]
