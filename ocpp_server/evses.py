"""Connectors inside 2.0.1 EVSEs: their own status and availability, summed up on the EVSE.

The core's connector row (`connectors`, numbered by evseId) is the EVSE: sessions,
reservations, smart charging and the operator's live view work per EVSE, as only one of
its connectors can be used at a time. A station with a CCS and a CHAdeMO connector on EVSE 1
reports each connector's status; each is kept in `evse_connectors` and the EVSE shows the
one that matters (`rules.evse_status`: a car on either connector makes the EVSE Occupied).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from mobility.models import Connector, EvseConnector
from ocpp_server import rules
from ocpp_server.events import AvailabilityChanged

# (charger pk, evseId, connectorId inside the EVSE)
Key = tuple[int, int, int]


def apply_statuses(s: Session, latest: dict[Key, dict[str, Any]]) -> None:
    """Each connector's newest report becomes its state (a late one does not), then every
    EVSE touched shows what its connectors sum up to."""
    if not latest:
        return
    rows = _rows(s, {key[0] for key in latest})
    for key, report in latest.items():
        row = rows.get(key)
        if row is None:
            row = EvseConnector(charger_id=key[0], evse_id=key[1], connector_id=key[2])
            s.add(row)
            rows[key] = row
        if row.status_at is None or report["timestamp"] >= row.status_at:
            row.status, row.status_at = report["status"], report["timestamp"]
    _sum_up(s, rows.values(), {key[:2] for key in latest})


def _rows(s: Session, charger_pks: set[int]) -> dict[Key, EvseConnector]:
    found = s.scalars(select(EvseConnector).where(EvseConnector.charger_id.in_(charger_pks)))
    return {(r.charger_id, r.evse_id, r.connector_id): r for r in found}


def _sum_up(s: Session, rows: Iterable[EvseConnector], evses: set[tuple[int, int]]) -> None:
    members: dict[tuple[int, int], list[EvseConnector]] = {}
    for row in rows:
        if (row.charger_id, row.evse_id) in evses:
            members.setdefault((row.charger_id, row.evse_id), []).append(row)
    existing = {
        (c.charger_id, c.connector_id): c
        for c in s.scalars(
            select(Connector).where(Connector.charger_id.in_({pk for pk, _ in evses}))
        )
    }
    for key, connectors in members.items():
        evse = existing.get(key)
        if evse is None:
            evse = Connector(charger_id=key[0], connector_id=key[1])
            s.add(evse)
        evse.status = rules.evse_status(c.status for c in connectors)
        evse.status_at = max((c.status_at for c in connectors if c.status_at), default=None)


def change_availability(s: Session, charger_pk: int, effect: AvailabilityChanged) -> None:
    """An accepted ChangeAvailability: the station, an EVSE with its connectors, or a single
    connector of an EVSE (which stays Operative while another of its connectors is)."""
    if effect.connector_id and effect.evse_connector_id is not None:
        _one_connector(s, charger_pk, effect.connector_id, effect.evse_connector_id, effect)
        return
    evses = update(Connector).where(Connector.charger_id == charger_pk)
    inside = update(EvseConnector).where(EvseConnector.charger_id == charger_pk)
    if effect.connector_id:  # None or 0: the whole charger
        evses = evses.where(Connector.connector_id == effect.connector_id)
        inside = inside.where(EvseConnector.evse_id == effect.connector_id)
    s.execute(evses.values(availability=effect.availability))
    s.execute(inside.values(availability=effect.availability))


def _one_connector(
    s: Session, charger_pk: int, evse_id: int, connector_id: int, effect: AvailabilityChanged
) -> None:
    rows = {
        r.connector_id: r
        for r in s.scalars(
            select(EvseConnector).where(
                EvseConnector.charger_id == charger_pk, EvseConnector.evse_id == evse_id
            )
        )
    }
    row = rows.get(connector_id)
    if row is None:
        row = EvseConnector(charger_id=charger_pk, evse_id=evse_id, connector_id=connector_id)
        s.add(row)
        rows[connector_id] = row
    row.availability = effect.availability
    s.execute(
        update(Connector)
        .where(Connector.charger_id == charger_pk, Connector.connector_id == evse_id)
        .values(availability=rules.evse_availability(r.availability for r in rows.values()))
    )


def connectors_of(s: Session, charger_pk: int) -> dict[int, list[EvseConnector]]:
    """A station's connectors inside its EVSEs, by EVSE, in order."""
    found: dict[int, list[EvseConnector]] = {}
    for row in s.scalars(
        select(EvseConnector)
        .where(EvseConnector.charger_id == charger_pk)
        .order_by(EvseConnector.evse_id, EvseConnector.connector_id)
    ):
        found.setdefault(row.evse_id, []).append(row)
    return found


def note_types(s: Session, charger_pk: int, types: dict[tuple[int, int], str]) -> None:
    """Connector types the device model names ((evseId, connectorId) -> cCCS2, sCHAdeMO...)."""
    if not types:
        return
    rows = {key[1:]: row for key, row in _rows(s, {charger_pk}).items()}
    for (evse_id, connector_id), kind in types.items():
        row = rows.get((evse_id, connector_id))
        if row is None:
            row = EvseConnector(charger_id=charger_pk, evse_id=evse_id, connector_id=connector_id)
            s.add(row)
        row.connector_type = kind[:20]
