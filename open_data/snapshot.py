"""Reading the system for the feeds: a cheap change marker and a full snapshot."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from billing.facade import spec_of
from mobility.db import Database
from mobility.errors import ValidationFailed
from mobility.models import (
    HOLDING_STATES,
    Booking,
    Charger,
    Hub,
    Tariff,
    TariffScope,
    Vehicle,
    VehicleState,
)
from open_data.model import Hold, HubRow, PublicTariff, Snapshot, VehicleRow

log = logging.getLogger(__name__)

# Tables whose rows the feeds show; each stamps updated_at on every change.
WATCHED = (Vehicle, Hub, Booking, Tariff, Charger)
Marker = tuple[Any, ...]


def _newest(marker: Marker) -> datetime | None:
    stamps = [m for m in marker[0::2] if m is not None]
    return max(stamps) if stamps else None


class Reader:
    """Reads the change marker and snapshots from one database."""

    def __init__(self, db: Database, horizon: timedelta) -> None:
        self.db = db
        self.horizon = horizon
        # Newest change and row count per table (counts catch deletions): one round trip.
        cols = []
        for model in WATCHED:
            cols.append(select(func.max(model.updated_at)).scalar_subquery())
            cols.append(select(func.count()).select_from(model).scalar_subquery())
        self._marker = select(*cols)

    def marker(self) -> tuple[Marker, datetime | None]:
        """The change marker and the newest update time in it."""
        with self.db.reads() as conn:
            row = tuple(conn.execute(self._marker).one())
        return row, _newest(row)

    def snapshot(self, now: datetime) -> Snapshot:
        """Everything the feeds show, read in one transaction."""
        with self.db.sessions() as s:
            return Snapshot(
                read_at=now,
                hubs=_hubs(s),
                vehicles=_vehicles(s),
                holds=_holds(s, now, self.horizon),
                tariffs=_tariffs(s, now),
            )


def _hubs(s: Session) -> tuple[HubRow, ...]:
    charger = exists().where(Charger.hub_id == Hub.id, Charger.is_public)
    rows = s.execute(select(Hub, charger.label("has_charger")).order_by(Hub.id))
    return tuple(
        HubRow(
            id=h.id,
            slug=h.slug,
            name=h.name,
            street=h.street,
            postcode=h.postcode,
            city=h.city,
            latitude=h.latitude,
            longitude=h.longitude,
            opening_hours=h.opening_hours,
            timezone=h.timezone,
            capacity=h.capacity,
            is_active=h.is_active,
            updated_at=h.updated_at,
            return_zone=h.return_zone,
            has_charger=bool(has_charger),
        )
        for h, has_charger in rows
    )


_VEHICLE_COLUMNS = (
    Vehicle.id,
    Vehicle.public_id,
    Vehicle.kind,
    Vehicle.model,
    Vehicle.seats,
    Vehicle.hub_id,
    Vehicle.state,
    Vehicle.visibility,
    Vehicle.public_hours,
    Vehicle.max_range_km,
    Vehicle.soc_percent,
    Vehicle.tariff_id,
)


def _vehicles(s: Session) -> tuple[VehicleRow, ...]:
    # Core rows on the session's connection: no ORM loading for 10,000 plain tuples.
    rows = s.connection().execute(
        select(*_VEHICLE_COLUMNS).where(Vehicle.state != VehicleState.RETIRED)
    )
    return tuple(VehicleRow(*row) for row in rows)


def _holds(s: Session, now: datetime, horizon: timedelta) -> tuple[Hold, ...]:
    rows = s.connection().execute(
        select(Booking.vehicle_id, Booking.start_at, Booking.block_end_at).where(
            or_(*(Booking.status == st for st in HOLDING_STATES)),
            Booking.block_end_at > now,
            Booking.start_at < now + horizon,
        )
    )
    return tuple(Hold(*row) for row in rows)


def _tariffs(s: Session, now: datetime) -> tuple[PublicTariff, ...]:
    """Public rental tariffs in force (companies' negotiated ones are private)."""
    rows = s.scalars(
        select(Tariff)
        .where(
            Tariff.scope.in_((TariffScope.EBIKE, TariffScope.ECAR)),
            Tariff.company_id.is_(None),
            Tariff.is_active,
            or_(Tariff.valid_from.is_(None), Tariff.valid_from <= now),
            or_(Tariff.valid_to.is_(None), Tariff.valid_to > now),
        )
        .order_by(Tariff.id)
    )
    out = []
    for t in rows:
        try:
            out.append(PublicTariff(t.id, t.code, t.name, t.scope, spec_of(t)))
        except ValidationFailed as exc:
            # Billing would refuse it too; the feed leaves it out rather than guess.
            log.warning("tariff %s left out of GBFS: %s", t.code, exc)
    return tuple(out)
