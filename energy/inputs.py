"""What the planner needs about one site, read from the database in one short transaction.

Connectors are the site's hub's chargers; a shared e-car is on the connector where a session
runs with its own card, else on its home bay; other running sessions are public. A connector
whose charger refused or ignored our profiles is planned for its worst case: its full power
is taken off the site's limit and nothing on it is steered.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from energy.model import (
    SLOT,
    Booking,
    Connector,
    Problem,
    PublicSession,
    Series,
    Site,
    Vehicle,
)
from energy.pv import clear_sky_pv
from mobility.models import (
    HOLDING_STATES,
    Charger,
    ChargingTransaction,
    EnergyFlag,
    EnergySeries,
    EnergySite,
    EvChargingNeeds,
    EvChargingSchedule,
    FlagKind,
    Hub,
    MeterValue,
    RegistrationStatus,
    SeriesKind,
    TransactionStatus,
    VehicleKind,
    VehicleState,
)
from mobility.models import Booking as BookingRow
from mobility.models import (
    Connector as ConnectorRow,
)
from mobility.models import (
    Vehicle as VehicleRow,
)

DEFAULT_CONNECTOR_KW = 22.0
DEFAULT_CAR_KW = 11.0
ENERGY_REGISTER = "Energy.Active.Import.Register"
SOC = "SoC"
WORST_CASE = (FlagKind.PROFILE_REJECTED, FlagKind.NOT_FOLLOWED)
NEEDS_BEFORE_START = timedelta(minutes=5)  # 15118 vehicles may state needs just before


@dataclass(frozen=True)
class Outlet:
    """Where a planner connector id points: a charger's connector."""

    charge_point_id: str
    connector_id: int
    charger_pk: int
    online: bool
    connected_at: datetime | None
    max_kw: float
    connector_pk: int


@dataclass(frozen=True)
class SiteInputs:
    """One site's problem and how to reach its connectors."""

    site_pk: int
    hub_id: int
    problem: Problem
    outlets: dict[str, Outlet]  # planner connector id -> charger connector
    running: dict[str, str]  # planner connector id -> transaction ref of the session on it
    session_pks: dict[str, int]  # planner connector id -> row id of the session on it
    worst_case: tuple[str, ...]  # connectors planned at full power, not steered
    pv_kw: tuple[float, ...]
    price: tuple[float, ...]
    digest: str = field(default="")


def connector_key(charge_point_id: str, connector_id: int) -> str:
    """The planner's id of a charger connector."""
    return f"{charge_point_id}/{connector_id}"


def slot_start(now: datetime) -> datetime:
    """The start of the 15-minute slot containing `now`."""
    return now - timedelta(
        minutes=now.minute % 15, seconds=now.second, microseconds=now.microsecond
    )


def read_site(s: Session, site: EnergySite, now: datetime, slots: int) -> SiteInputs:
    """Everything the planner needs for this site as of `now`."""
    hub = s.get(Hub, site.hub_id)
    assert hub is not None  # the foreign key says so
    start = slot_start(now)
    outlets, statuses = _outlets(s, hub.id)
    flagged = _worst_case(s, site.id, outlets)
    sessions = _running(s, [o.charger_pk for o in outlets.values()])
    running = {key: tx.transaction_ref or str(tx.id) for key, tx in sessions.items()}
    cars, car_on = _vehicles(s, str(site.id), hub.id, outlets, sessions, flagged)
    bookings = _bookings(s, [int(v.id) for v in cars], start, slots)
    public = _public_sessions(s, str(site.id), outlets, sessions, flagged | car_on, now)
    unsteered = [outlets[k] for k in flagged if k in sessions]
    model_site = _site(
        s,
        site,
        hub,
        start,
        slots,
        [(k, o) for k, o in outlets.items() if k not in flagged],
        unsteered,
    )
    price, pv = model_site.price, model_site.pv_kw
    problem = Problem(start, (model_site,), tuple(cars), tuple(bookings), public)
    inputs = SiteInputs(
        site_pk=site.id,
        hub_id=hub.id,
        problem=problem,
        outlets=outlets,
        running=running,
        session_pks={key: tx.id for key, tx in sessions.items()},
        worst_case=tuple(sorted(flagged)),
        pv_kw=tuple(pv.window(start, slots, fill=0.0)) if pv else (0.0,) * slots,
        price=tuple(price.window(start, slots)),
    )
    return _with_digest(inputs, statuses)


def _site(
    s: Session,
    site: EnergySite,
    hub: Hub,
    start: datetime,
    slots: int,
    steered: list[tuple[str, Outlet]],
    unsteered: list[Outlet],
) -> Site:
    """The planner's site: steered connectors, price, PV and the limit left for them."""
    price = _series(s, site.id, SeriesKind.PRICE, start, slots) or Series(
        start, (float(site.flat_price_eur_kwh),)
    )
    pv = _series(s, site.id, SeriesKind.PV, start, slots) or _clear_sky(site, hub, start, slots)
    return Site(
        id=str(site.id),
        grid_limit_kw=float(site.grid_limit_kw),
        connectors=tuple(Connector(key, o.max_kw) for key, o in steered),
        price=price,
        pv_kw=pv,
        limit_kw=_limit(s, site, start, slots, unsteered),
        phase_limit_a=None if site.phase_limit_a is None else float(site.phase_limit_a),
        voltage_v=float(site.voltage_v),
    )


def _outlets(s: Session, hub_id: int) -> tuple[dict[str, Outlet], dict[str, str]]:
    """The hub's connectors by planner id, and their live state (part of the digest)."""
    rows = s.execute(
        select(
            ConnectorRow.id,
            ConnectorRow.connector_id,
            ConnectorRow.max_power_w,
            ConnectorRow.status,
            Charger.id,
            Charger.charge_point_id,
            Charger.max_power_w,
            Charger.is_online,
            Charger.connected_at,
        )
        .join(Charger, Charger.id == ConnectorRow.charger_id)
        .where(
            Charger.hub_id == hub_id,
            Charger.registration_status == RegistrationStatus.ACCEPTED,
            ConnectorRow.connector_id > 0,
        )
        .order_by(Charger.charge_point_id, ConnectorRow.connector_id)
    ).all()
    outlets, statuses = {}, {}
    for pk, number, watts, status, charger_pk, cp_id, charger_watts, online, since in rows:
        key = connector_key(cp_id, number)
        watts = watts or charger_watts
        outlets[key] = Outlet(
            cp_id,
            number,
            charger_pk,
            online,
            since,
            watts / 1000 if watts else DEFAULT_CONNECTOR_KW,
            pk,
        )
        statuses[key] = f"{status}/{online}/{since}"
    return outlets, statuses


def _needs(
    s: Session, outlets: dict[str, Outlet], sessions: dict[str, ChargingTransaction]
) -> dict[str, EvChargingNeeds]:
    """The latest ISO 15118 charging needs sent during each running session."""
    if not sessions:
        return {}
    since = min(tx.started_at for tx in sessions.values()) - NEEDS_BEFORE_START
    found: dict[str, EvChargingNeeds] = {}
    by_pk = {(o.charger_pk, o.connector_id): key for key, o in outlets.items()}
    rows = s.scalars(
        select(EvChargingNeeds)
        .where(
            EvChargingNeeds.charger_id.in_({o.charger_pk for o in outlets.values()}),
            EvChargingNeeds.received_at >= since,
        )
        .order_by(EvChargingNeeds.received_at)
    )
    for row in rows:
        key = by_pk.get((row.charger_id, row.connector_id))
        tx = sessions.get(key) if key else None
        if key and tx is not None and row.received_at >= tx.started_at - NEEDS_BEFORE_START:
            found[key] = row  # ordered by time: the last one wins
    return found


def _public_sessions(
    s: Session,
    site_id: str,
    outlets: dict[str, Outlet],
    sessions: dict[str, ChargingTransaction],
    skipped: set[str],
    now: datetime,
) -> tuple[PublicSession, ...]:
    """Citizens' sessions (not a shared car's, not on a connector planned at worst case)."""
    needs = _needs(s, outlets, sessions)
    caps = _vehicle_caps(s, outlets, sessions)
    return tuple(
        _public(site_id, key, tx, outlets[key], needs.get(key), now, caps.get(key))
        for key, tx in sessions.items()
        if key not in skipped
    )


def _vehicle_caps(
    s: Session, outlets: dict[str, Outlet], sessions: dict[str, ChargingTransaction]
) -> dict[str, int]:
    """The power ISO 15118 vehicles plan to draw at most, of their own choice (their latest
    NotifyEVChargingSchedule during the session, when it stays below what we allowed)."""
    if not sessions:
        return {}
    by_pk = {(o.charger_pk, o.connector_id): key for key, o in outlets.items()}
    found: dict[str, int] = {}
    rows = s.scalars(
        select(EvChargingSchedule)
        .where(
            EvChargingSchedule.charger_id.in_({o.charger_pk for o in outlets.values()}),
            EvChargingSchedule.received_at >= min(tx.started_at for tx in sessions.values()),
        )
        .order_by(EvChargingSchedule.received_at)
    )
    for row in rows:
        key = by_pk.get((row.charger_id, row.connector_id))
        tx = sessions.get(key) if key else None
        if key and tx is not None and row.received_at >= tx.started_at:
            found.pop(key, None)  # ordered by time: the last schedule says
            if row.max_power_w:
                found[key] = row.max_power_w
    return found


def _public(
    site_id: str,
    key: str,
    tx: ChargingTransaction,
    outlet: Outlet,
    needs: EvChargingNeeds | None,
    now: datetime,
    cap_w: int | None = None,
) -> PublicSession:
    """A citizen's session; an ISO 15118 vehicle says how much it needs and until when, and
    (its planned schedule) the most it will draw."""
    max_kw = outlet.max_kw if cap_w is None else min(outlet.max_kw, cap_w / 1000)
    if needs is None:
        return PublicSession(str(tx.id), site_id, key, tx.started_at, max_kw=max_kw)
    if needs.max_power_w:
        max_kw = min(max_kw, needs.max_power_w / 1000)
    departure = needs.departure_at if needs.departure_at and needs.departure_at > now else None
    energy = None if needs.energy_wh is None else needs.energy_wh / 1000
    return PublicSession(str(tx.id), site_id, key, tx.started_at, departure, energy, max_kw)


def _worst_case(s: Session, site_pk: int, outlets: dict[str, Outlet]) -> set[str]:
    subjects = s.scalars(
        select(EnergyFlag.subject).where(
            EnergyFlag.site_id == site_pk,
            EnergyFlag.kind.in_(WORST_CASE),
            EnergyFlag.resolved_at.is_(None),
        )
    )
    keys = {subject.removeprefix("connector:") for subject in subjects}
    return keys & set(outlets)


def _running(s: Session, charger_pks: list[int]) -> dict[str, ChargingTransaction]:
    rows = s.execute(
        select(ChargingTransaction, Charger.charge_point_id)
        .join(Charger, Charger.id == ChargingTransaction.charger_id)
        .where(
            ChargingTransaction.charger_id.in_(charger_pks),
            ChargingTransaction.status == TransactionStatus.ACTIVE,
        )
        .order_by(ChargingTransaction.started_at)
    ).all()
    return {connector_key(cp, tx.connector_id): tx for tx, cp in rows}


def _vehicles(
    s: Session,
    site_id: str,
    hub_id: int,
    outlets: dict[str, Outlet],
    sessions: dict[str, ChargingTransaction],
    flagged: set[str],
) -> tuple[list[Vehicle], set[str]]:
    """The site's e-cars on their connectors, and the connectors they occupy."""
    homes = {o.connector_pk: key for key, o in outlets.items()}
    plugged_by_card = {tx.vehicle_id: key for key, tx in sessions.items() if tx.vehicle_id}
    rows = s.execute(
        select(
            VehicleRow.id,
            VehicleRow.home_connector_id,
            VehicleRow.battery_kwh,
            VehicleRow.max_range_km,
            VehicleRow.max_charge_kw,
            VehicleRow.soc_percent,
            VehicleRow.state,
        ).where(
            VehicleRow.kind == VehicleKind.ECAR,
            VehicleRow.state.not_in((VehicleState.RETIRED, VehicleState.OFFLINE)),
            (VehicleRow.hub_id == hub_id) | VehicleRow.id.in_(list(plugged_by_card)),
        )
    )
    cars, occupied = [], set()
    for row in rows:
        key = plugged_by_card.get(row.id) or homes.get(row.home_connector_id or 0)
        if key is None or key in flagged or key in occupied:
            continue
        if key not in plugged_by_card.values() and key in sessions:
            continue  # its bay is taken by a public session: nothing to plan for it here
        occupied.add(key)
        soc = _soc(s, row, sessions.get(key) if row.id in plugged_by_card else None)
        cars.append(_vehicle(row, site_id, key, soc, outlets[key]))
    return cars, occupied


def _vehicle(row: Any, site_id: str, key: str, soc: float, outlet: Outlet) -> Vehicle:
    capacity = float(row.battery_kwh)
    per_100 = capacity * 100 / row.max_range_km if row.max_range_km else 18.0
    max_kw = float(row.max_charge_kw) if row.max_charge_kw else DEFAULT_CAR_KW
    return Vehicle(
        id=str(row.id),
        site_id=site_id,
        connector_id=key,
        capacity_kwh=capacity,
        consumption_kwh_per_100km=per_100,
        soc=soc,
        max_kw=min(max_kw, outlet.max_kw),
        plugged_in=row.state != VehicleState.IN_USE,
    )


def _soc(s: Session, row: Any, tx: ChargingTransaction | None) -> float:
    """The charger's SoC reading when it sends one, else the last known plus energy since."""
    base = row.soc_percent / 100
    if tx is None:
        return base
    reported = s.scalar(
        select(MeterValue.value)
        .where(MeterValue.transaction_id == tx.id, MeterValue.measurand == SOC)
        .order_by(MeterValue.timestamp.desc())
        .limit(1)
    )
    if reported is not None:
        return min(max(float(reported) / 100, 0.0), 1.0)
    register = s.scalar(
        select(func.max(MeterValue.value)).where(
            MeterValue.transaction_id == tx.id,
            MeterValue.measurand == ENERGY_REGISTER,
            MeterValue.unit == "Wh",
        )
    )
    added = max(0.0, float(register or 0) - tx.meter_start_wh) / 1000
    return min(base + added / float(row.battery_kwh or Decimal(1)), 1.0)


def _bookings(s: Session, vehicle_ids: list[int], start: datetime, slots: int) -> list[Booking]:
    horizon = start + SLOT * slots
    rows = s.execute(
        select(
            BookingRow.id,
            BookingRow.vehicle_id,
            BookingRow.start_at,
            BookingRow.end_at,
            BookingRow.expected_distance_km,
            BookingRow.min_soc_percent,
        )
        .where(
            BookingRow.vehicle_id.in_(vehicle_ids),
            BookingRow.status.in_(HOLDING_STATES),
            BookingRow.start_at < horizon,
            BookingRow.end_at > start - timedelta(hours=12),  # overdue returns still count
        )
        .order_by(BookingRow.start_at)
    )
    return [
        Booking(
            id=str(pk),
            vehicle_id=str(vehicle_id),
            start=start_at,
            end=end_at,
            distance_km=None if km is None else float(km),
            target_soc=None if min_soc is None else min_soc / 100,
        )
        for pk, vehicle_id, start_at, end_at, km, min_soc in rows
    ]


def _series(
    s: Session, site_pk: int, kind: SeriesKind, start: datetime, slots: int
) -> Series | None:
    rows = s.execute(
        select(EnergySeries.slot_start, EnergySeries.value)
        .where(
            EnergySeries.site_id == site_pk,
            EnergySeries.kind == kind,
            EnergySeries.slot_start >= start,
            EnergySeries.slot_start < start + SLOT * slots,
        )
        .order_by(EnergySeries.slot_start)
    ).all()
    if not rows:
        return None
    by_slot = {at: float(value) for at, value in rows}
    values, last = [], float(rows[0][1])
    for i in range(slots):  # a gap keeps the previous value
        last = by_slot.get(start + SLOT * i, last)
        values.append(last)
    return Series(start, tuple(values))


def _clear_sky(site: EnergySite, hub: Hub, start: datetime, slots: int) -> Series | None:
    if not site.pv_peak_kwp:
        return None
    return clear_sky_pv(
        float(hub.latitude), float(hub.longitude), float(site.pv_peak_kwp), start, slots
    )


def _limit(
    s: Session, site: EnergySite, start: datetime, slots: int, unsteered: list[Outlet]
) -> Series | None:
    """The dynamic limit, less what connectors we cannot steer may draw."""
    limit = _series(s, site.id, SeriesKind.LIMIT, start, slots)
    reserved = sum(o.max_kw for o in unsteered)
    if not reserved:
        return limit
    base = limit.values if limit else (float(site.grid_limit_kw),) * slots
    return Series(start, tuple(max(0.0, v - reserved) for v in base))


def _with_digest(inputs: SiteInputs, statuses: dict[str, str]) -> SiteInputs:
    """A digest of what would change the plan (the slot moves it every 15 minutes)."""
    p = inputs.problem
    text = json.dumps(
        {
            "start": p.start.isoformat(),
            "site": repr(p.sites),
            "cars": [(v.id, v.connector_id, round(v.soc, 2), v.plugged_in) for v in p.vehicles],
            "bookings": repr(p.bookings),
            "sessions": repr(p.sessions),
            "running": inputs.running,
            "statuses": statuses,
        },
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return SiteInputs(**{**inputs.__dict__, "digest": digest})
