"""Reads what the map shows: active hubs, their public chargers and connectors."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from booking.places.rules import ChargerSpot, ConnectorSpot, HubSpot
from mobility.models import Charger, Connector, Hub, RegistrationStatus


def hubs(s: Session) -> list[HubSpot]:
    """Active hubs by name."""
    rows = s.execute(
        select(Hub.id, Hub.name, Hub.street, Hub.postcode, Hub.city, Hub.latitude, Hub.longitude)
        .where(Hub.is_active)
        .order_by(Hub.name, Hub.id)
    )
    return [
        HubSpot(id, name, ", ".join(p for p in (street, f"{postcode} {city}".strip()) if p), la, lo)
        for id, name, street, postcode, city, la, lo in rows
    ]


def chargers(s: Session, hub_ids: list[int] | None = None) -> list[ChargerSpot]:
    """Public, registered chargers at active hubs (or at these hubs), with their connectors."""
    stmt = (
        select(Charger)
        .join(Hub, Hub.id == Charger.hub_id)
        .where(
            Hub.is_active,
            Charger.is_public,
            Charger.registration_status == RegistrationStatus.ACCEPTED,
        )
        .order_by(Charger.charge_point_id)
    )
    if hub_ids is not None:
        stmt = stmt.where(Charger.hub_id.in_(hub_ids))
    found = list(s.scalars(stmt))
    by_charger: dict[int, list[ConnectorSpot]] = {}
    if found:
        for c in s.scalars(
            select(Connector)
            .where(Connector.charger_id.in_([c.id for c in found]), Connector.connector_id > 0)
            .order_by(Connector.connector_id)
        ):
            by_charger.setdefault(c.charger_id, []).append(spot(c))
    return [
        ChargerSpot(
            c.charge_point_id, c.name, c.hub_id or 0, c.is_online, tuple(by_charger.get(c.id, []))
        )
        for c in found
    ]


def spot(c: Connector) -> ConnectorSpot:
    """A connector row as the map sees it."""
    return ConnectorSpot(c.connector_id, c.status, c.availability, c.standard, c.max_power_w)
