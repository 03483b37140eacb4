"""The dashboard's aggregate queries: a few grouped rows each, whatever the district's size.

Times are grouped by UTC hour (or quarter hour) in SQL; `console.dashboard` makes local days
of them. The energy package's tables (sites, series, plans) are read as data: the console
never imports the energy package.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, cast, extract, func, literal_column, or_, select
from sqlalchemy.orm import Session

from console.dashboard import OUT_OF_SERVICE, StatusChange
from console.services.sessions import ENERGY, POWER
from mobility.models import (
    HOLDING_STATES,
    Booking,
    BookingStatus,
    Charger,
    ChargingTransaction,
    Connector,
    ConnectorStatusEvent,
    EnergyPlan,
    EnergySeries,
    EnergySite,
    Hub,
    Invoice,
    InvoiceKind,
    MeterValue,
    RegistrationStatus,
    TransactionStatus,
    Trip,
    Vehicle,
    VehicleState,
)

# A session is looked at from this long before the window (its readings before the window
# tell what it had delivered when the window opened); a status report from this long before.
SESSION_LOOKBACK = timedelta(days=1)
STATUS_LOOKBACK = timedelta(days=1)
LONGEST_BOOKING = timedelta(days=7)
# Revenue is counted on the invoices themselves, not on the monthly fleet invoices that
# bundle them again.
BUNDLES = (InvoiceKind.FLEET_MONTHLY,)


def bucket(s: Session, column: Any, seconds: int) -> ColumnElement[int]:
    """Epoch seconds of a UTC time column divided by `seconds` (whole hours, quarters)."""
    # Inline, not a bound parameter: PostgreSQL wants the same text in SELECT and GROUP BY.
    size: ColumnElement[int] = literal_column(str(int(seconds)), Integer)
    if s.get_bind().dialect.name == "postgresql":
        return cast(func.floor(extract("epoch", column) / size), Integer)
    return cast(func.strftime(literal_column("'%s'"), column), Integer).op("/")(size)


def energy_readings(s: Session, since: datetime) -> list[tuple[int, int, Decimal, int]]:
    """(session, hour, highest register Wh that hour, meter start) of sessions since `since`."""
    hour = bucket(s, MeterValue.timestamp, 3600)
    rows = s.execute(
        select(
            MeterValue.transaction_id,
            hour,
            func.max(MeterValue.value),
            ChargingTransaction.meter_start_wh,
        )
        .join(ChargingTransaction, ChargingTransaction.id == MeterValue.transaction_id)
        .where(
            ChargingTransaction.started_at >= since - SESSION_LOOKBACK,
            MeterValue.measurand == ENERGY,
            MeterValue.phase.is_(None),
        )
        .group_by(MeterValue.transaction_id, hour, ChargingTransaction.meter_start_wh)
    )
    return [(tx, h, wh, start) for tx, h, wh, start in rows if tx is not None]


def bookings_per_hour(s: Session, since: datetime, until: datetime) -> list[tuple[int, str, int]]:
    """(hour, status, bookings) of the bookings starting in the window."""
    hour = bucket(s, Booking.start_at, 3600)
    rows = s.execute(
        select(hour, Booking.status, func.count())
        .where(Booking.start_at >= since, Booking.start_at < until)
        .group_by(hour, Booking.status)
    )
    return [(h, status, n) for h, status, n in rows]


def _revenue(since: datetime, until: datetime) -> list[ColumnElement[bool]]:
    return [
        Invoice.issued_at >= since,
        Invoice.issued_at < until,
        Invoice.kind.not_in(BUNDLES),
    ]


def revenue_per_hour(s: Session, since: datetime, until: datetime) -> list[tuple[int, str, int]]:
    """(hour, currency, total incl. VAT in minor units) of invoices and credit notes issued."""
    hour = bucket(s, Invoice.issued_at, 3600)
    rows = s.execute(
        select(hour, Invoice.currency, func.sum(Invoice.total_minor))
        .where(*_revenue(since, until))
        .group_by(hour, Invoice.currency)
    )
    return [(h, currency, int(total)) for h, currency, total in rows]


def revenue_per_tariff(
    s: Session, since: datetime, until: datetime
) -> list[tuple[str | None, str, int]]:
    """(tariff code, currency, total incl. VAT in minor units) over the window."""
    rows = s.execute(
        select(Invoice.tariff_code, Invoice.currency, func.sum(Invoice.total_minor))
        .where(*_revenue(since, until))
        .group_by(Invoice.tariff_code, Invoice.currency)
    )
    return [(code, currency, int(total)) for code, currency, total in rows]


def status_changes(s: Session, since: datetime, until: datetime) -> list[StatusChange]:
    """Connectors' status reports from just before the window to its end, and the current
    status of connectors that changed since then (in case a report was not kept)."""
    start = since - STATUS_LOOKBACK
    e = ConnectorStatusEvent
    reported = s.execute(
        select(e.charger_id, e.connector_id, e.timestamp, e.status).where(
            e.timestamp >= start, e.timestamp < until, e.connector_id > 0
        )
    )
    changes = [StatusChange((c, n), at, status) for c, n, at, status in reported]
    current = s.execute(
        select(
            Connector.charger_id, Connector.connector_id, Connector.status_at, Connector.status
        ).where(Connector.connector_id > 0, Connector.status_at >= start)
    )
    changes += [StatusChange((c, n), at, status) for c, n, at, status in current if at]
    return changes


def steady_connectors(s: Session, since: datetime) -> dict[str, int]:
    """Connectors that reported nothing since before the window, counted by their status."""
    rows = s.execute(
        select(Connector.status, func.count())
        .where(
            Connector.connector_id > 0,
            or_(Connector.status_at.is_(None), Connector.status_at < since - STATUS_LOOKBACK),
        )
        .group_by(Connector.status)
    )
    return {status: n for status, n in rows}


def trips_between(
    s: Session, since: datetime, until: datetime
) -> list[tuple[datetime, datetime | None]]:
    """(start, end or None) of trips on the road at some time in the window."""
    rows = s.execute(
        select(Trip.started_at, Trip.ended_at).where(
            Trip.started_at >= since - LONGEST_BOOKING,
            Trip.started_at < until,
            or_(Trip.ended_at.is_(None), Trip.ended_at > since),
        )
    )
    return [(start, end) for start, end in rows]


def bookings_between(
    s: Session, since: datetime, until: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) of bookings holding a vehicle at some time in the window."""
    rows = s.execute(
        select(Booking.start_at, Booking.end_at).where(
            Booking.start_at >= since - LONGEST_BOOKING,
            Booking.start_at < until,
            Booking.end_at > since,
            Booking.status.in_((*HOLDING_STATES, BookingStatus.COMPLETED)),
        )
    )
    return [(start, end) for start, end in rows]


def fleet_size(s: Session) -> int:
    """Vehicles in the fleet (retired ones are not)."""
    return s.scalar(select(func.count()).where(Vehicle.state != VehicleState.RETIRED)) or 0


def sites(s: Session) -> list[tuple[int, str, Decimal]]:
    """(site id, hub name, grid limit kW) of every smart-charging site."""
    rows = s.execute(
        select(EnergySite.id, Hub.name, EnergySite.grid_limit_kw)
        .join(Hub, Hub.id == EnergySite.hub_id)
        .order_by(Hub.name)
    )
    return [(site, name, limit) for site, name, limit in rows]


def latest_plan(s: Session, site_id: int) -> dict[str, Any] | None:
    """The body of a site's newest plan (per-slot load, limit, PV)."""
    body: dict[str, Any] | None = s.scalar(
        select(EnergyPlan.body)
        .where(EnergyPlan.site_id == site_id)
        .order_by(EnergyPlan.created_at.desc(), EnergyPlan.id.desc())
        .limit(1)
    )
    return body


def site_series(
    s: Session, site_id: int, since: datetime, until: datetime
) -> list[tuple[str, datetime, Decimal]]:
    """(kind, slot start, value) of a site's stored limit and PV series in the window."""
    rows = s.execute(
        select(EnergySeries.kind, EnergySeries.slot_start, EnergySeries.value).where(
            EnergySeries.site_id == site_id,
            EnergySeries.kind.in_(("limit", "pv")),
            EnergySeries.slot_start >= since,
            EnergySeries.slot_start < until,
        )
    )
    return [(kind, at, value) for kind, at, value in rows]


def measured_load(s: Session, site_id: int, since: datetime) -> list[tuple[int, Decimal]]:
    """(quarter hour, mean power W of one connector) of the site's chargers since `since`."""
    quarter = bucket(s, MeterValue.timestamp, 900)
    hub = select(EnergySite.hub_id).where(EnergySite.id == site_id).scalar_subquery()
    rows = s.execute(
        select(quarter, func.avg(MeterValue.value))
        .join(Charger, Charger.id == MeterValue.charger_id)
        .where(
            Charger.hub_id == hub,
            MeterValue.timestamp >= since,
            MeterValue.measurand == POWER,
            MeterValue.phase.is_(None),
        )
        .group_by(quarter, MeterValue.charger_id, MeterValue.connector_id)
    )
    return [(q, w) for q, w in rows]


def now_figures(s: Session) -> dict[str, int]:
    """Counts of this moment: chargers online, connectors in service, sessions running."""
    accepted = Charger.registration_status == RegistrationStatus.ACCEPTED
    chargers = s.execute(
        select(func.count(), func.count().filter(Charger.is_online.is_(True))).where(accepted)
    ).one()
    connectors = s.execute(
        select(
            func.count(), func.count().filter(Connector.status.not_in(sorted(OUT_OF_SERVICE)))
        ).where(Connector.connector_id > 0)
    ).one()
    running = s.scalar(
        select(func.count()).where(ChargingTransaction.status == TransactionStatus.ACTIVE)
    )
    return {
        "chargers": chargers[0],
        "online": chargers[1],
        "connectors": connectors[0],
        "in_service": connectors[1],
        "running": running or 0,
    }
