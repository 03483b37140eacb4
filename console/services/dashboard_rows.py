"""The dashboard's aggregate queries: a few grouped rows each, whatever the district's size.

Times are grouped by UTC hour (or quarter hour) in SQL; `console.dashboard` makes local days
of them. The energy package's tables (sites, series, plans) are read as data: the console
never imports the energy package.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    literal_column,
    or_,
    select,
    union,
    union_all,
)
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

# Sessions started this long before the window are read too (their readings before it tell
# what they had delivered when it opened), and running ones however long ago they started;
# a status report from this long before.
SESSION_LOOKBACK = timedelta(hours=12)
STATUS_LOOKBACK = timedelta(days=1)
LONGEST_BOOKING = timedelta(days=7)
# Revenue is counted on the invoices themselves, not on the monthly fleet invoices that
# bundle them again.
BUNDLES = (InvoiceKind.FLEET_MONTHLY,)


def bucket(s: Session, column: Any, seconds: int) -> ColumnElement[int]:
    """Epoch seconds of a UTC time column divided by `seconds` (whole hours, quarters)."""
    return bucket_in(s.get_bind().dialect.name, column, seconds)


def bucket_in(dialect: str, column: Any, seconds: int) -> ColumnElement[int]:
    """`bucket` for a dialect named beforehand (statements built once and kept)."""
    # Inline, not a bound parameter: PostgreSQL wants the same text in SELECT and GROUP BY.
    size: ColumnElement[int] = literal_column(str(int(seconds)), Integer)
    if dialect == "postgresql":
        return cast(func.floor(extract("epoch", column) / size), Integer)
    return cast(func.strftime(literal_column("'%s'"), column), Integer).op("/")(size)


def energy_readings(
    s: Session, since: datetime
) -> tuple[list[tuple[int, int, Decimal]], dict[int, int]]:
    """(session, hour, highest register Wh that hour) of readings since `since`, and each of
    those sessions' register as the window opened (its last reading before, else its start)."""
    delivering = or_(
        ChargingTransaction.started_at >= since - SESSION_LOOKBACK,
        ChargingTransaction.status == TransactionStatus.ACTIVE,
    )
    hour = bucket(s, MeterValue.timestamp, 3600)
    energy = (MeterValue.measurand == ENERGY, MeterValue.phase.is_(None))
    # The sessions first, then their readings since `since` by the session index.
    rows = s.execute(
        select(MeterValue.transaction_id, hour, func.max(MeterValue.value))
        .where(
            MeterValue.transaction_id.in_(select(ChargingTransaction.id).where(delivering)),
            MeterValue.timestamp >= since,
            *energy,
        )
        .group_by(MeterValue.transaction_id, hour)
    )
    readings = [(tx, h, wh) for tx, h, wh in rows if tx is not None]
    before = (
        select(MeterValue.value)
        .where(MeterValue.transaction_id == ChargingTransaction.id, MeterValue.timestamp < since)
        .where(*energy)
        .order_by(MeterValue.timestamp.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = s.execute(
        select(ChargingTransaction.id, ChargingTransaction.meter_start_wh, before).where(
            ChargingTransaction.id.in_({tx for tx, _, _ in readings})
        )
    )
    return readings, {tx: int(wh if wh is not None else start) for tx, start, wh in found}


def energy_per_start_hour(s: Session, since: datetime, until: datetime) -> list[tuple[int, int]]:
    """(hour, Wh) of the sessions finished, by the hour they started (from the sessions alone)."""
    hour = bucket(s, ChargingTransaction.started_at, 3600)
    delivered = ChargingTransaction.meter_stop_wh - ChargingTransaction.meter_start_wh
    rows = s.execute(
        select(hour, func.sum(delivered))
        .where(
            ChargingTransaction.started_at >= since,
            ChargingTransaction.started_at < until,
            ChargingTransaction.status == TransactionStatus.COMPLETED,
            ChargingTransaction.meter_stop_wh >= ChargingTransaction.meter_start_wh,
        )
        .group_by(hour)
    )
    return [(h, int(wh or 0)) for h, wh in rows]


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


def revenue_per_hour(
    s: Session, since: datetime, until: datetime
) -> list[tuple[int, str | None, str, int]]:
    """(hour, tariff code, currency, total incl. VAT in minor units) of invoices and credit
    notes issued in the window."""
    hour = bucket(s, Invoice.issued_at, 3600)
    rows = s.execute(
        select(hour, Invoice.tariff_code, Invoice.currency, func.sum(Invoice.total_minor))
        .where(
            Invoice.issued_at >= since,
            Invoice.issued_at < until,
            Invoice.kind.not_in(BUNDLES),
        )
        .group_by(hour, Invoice.tariff_code, Invoice.currency)
    )
    return [(h, code, currency, int(total)) for h, code, currency, total in rows]


def _reports(s: Session, start: datetime, until: datetime) -> Any:
    """Status reports (charger, connector, epoch second, status) from `start` to `until`.

    The OCPP server writes each report and the connector's new status in one transaction, so
    the reports alone tell every connector's status over time.
    """
    e = ConnectorStatusEvent
    return (
        select(
            e.charger_id.label("charger"),
            e.connector_id.label("connector"),
            bucket(s, e.timestamp, 1).label("t"),
            e.status.label("status"),
        )
        .where(e.timestamp >= start, e.timestamp < until, e.connector_id > 0)
        .subquery("reports")
    )


def status_changes(s: Session, since: datetime, until: datetime) -> list[StatusChange]:
    """Status reports from just before the window (what each connector was in as it opened)
    to its end; times as epoch seconds (no datetime object made for each)."""
    r = _reports(s, since - STATUS_LOOKBACK, until)
    found = s.execute(select(r.c.charger, r.c.connector, r.c.t, r.c.status))
    return [StatusChange((c, n), t, status) for c, n, t, status in found]


def availability_seconds(
    s: Session, bounds: Sequence[tuple[float, float]], since: datetime, until: datetime
) -> dict[int, tuple[int, int]]:
    """Per day (index into `bounds`, epoch seconds), connector seconds known and in service.

    `console.dashboard.availability_by_day` in SQL (a test holds them equal): each report
    lasts until the connector's next one or the window's end, clipped to each day. Tens of
    thousands of reports a day in a district are summed where they are.
    """
    r = _reports(s, since - STATUS_LOOKBACK, until)
    # Two reports of one moment: ordered by status, as the fold orders them.
    order = (r.c.t, r.c.status)
    end = func.lead(r.c.t).over(partition_by=(r.c.charger, r.c.connector), order_by=order)
    spans = select(
        r.c.t.label("t"),
        func.coalesce(end, int(until.timestamp())).label("end"),
        case((r.c.status.in_(sorted(OUT_OF_SERVICE)), 0), else_=1).label("serving"),
    ).subquery("spans")
    days = union_all(
        *(
            select(
                literal(i).label("i"), literal(int(lo)).label("lo"), literal(int(hi)).label("hi")
            )
            for i, (lo, hi) in enumerate(bounds)
        )
    ).subquery("days")
    overlap = case((spans.c.end < days.c.hi, spans.c.end), else_=days.c.hi) - case(
        (spans.c.t > days.c.lo, spans.c.t), else_=days.c.lo
    )
    rows = s.execute(
        select(days.c.i, func.sum(overlap), func.sum(overlap * spans.c.serving))
        .join_from(spans, days, and_(spans.c.t < days.c.hi, spans.c.end > days.c.lo))
        .group_by(days.c.i)
    )
    return {i: (int(known or 0), int(serving or 0)) for i, known, serving in rows}


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


def trips_between(s: Session, since: datetime, until: datetime) -> list[tuple[int, int | None]]:
    """(start, end or None) in epoch seconds of trips on the road at some time in the window."""
    rows = s.execute(
        select(bucket(s, Trip.started_at, 1), bucket(s, Trip.ended_at, 1)).where(
            Trip.started_at >= since - LONGEST_BOOKING,
            Trip.started_at < until,
            or_(Trip.ended_at.is_(None), Trip.ended_at > since),
        )
    )
    return [(start, end) for start, end in rows]


def bookings_between(s: Session, since: datetime, until: datetime) -> list[tuple[int, int | None]]:
    """(start, end) in epoch seconds of bookings holding a vehicle at some time in the window."""
    rows = s.execute(
        select(bucket(s, Booking.start_at, 1), bucket(s, Booking.end_at, 1)).where(
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
    """(quarter hour, mean power W of one connector) of the site's charging sessions since
    `since` (their readings by the session index, not a scan of the day's readings)."""
    quarter = bucket(s, MeterValue.timestamp, 900)
    hub = select(EnergySite.hub_id).where(EnergySite.id == site_id).scalar_subquery()
    at_hub = ChargingTransaction.charger_id.in_(select(Charger.id).where(Charger.hub_id == hub))
    # Two index reads (recent starts, running ones), not every session of the hub's chargers.
    sessions = union(
        select(ChargingTransaction.id).where(
            ChargingTransaction.started_at >= since - SESSION_LOOKBACK, at_hub
        ),
        select(ChargingTransaction.id).where(
            ChargingTransaction.status == TransactionStatus.ACTIVE, at_hub
        ),
    )
    rows = s.execute(
        select(quarter, func.avg(MeterValue.value))
        .where(
            MeterValue.transaction_id.in_(sessions),
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
