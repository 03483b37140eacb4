"""Operator use cases of smart charging: sites, series, flags, a car's home bay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from energy.inputs import slot_start
from mobility.clock import utcnow
from mobility.db import Database
from mobility.errors import Conflict, NotFound, ValidationFailed
from mobility.models import (
    Charger,
    Connector,
    EnergyFlag,
    EnergyPlan,
    EnergySeries,
    EnergySite,
    Hub,
    SeriesKind,
    Vehicle,
    VehicleKind,
)

MAX_SERIES = 96 * 14  # two weeks of 15-minute values per request
SITE_FIELDS = ("grid_limit_kw", "phase_limit_a", "pv_peak_kwp", "flat_price_eur_kwh", "voltage_v")


@dataclass(frozen=True)
class SiteTerms:
    """What an operator sets on a site (None: leave as is)."""

    grid_limit_kw: Decimal | None = None
    phase_limit_a: Decimal | None = None
    pv_peak_kwp: Decimal | None = None
    flat_price_eur_kwh: Decimal | None = None
    voltage_v: int | None = None
    enabled: bool | None = None


def site_row(s: Session, site_id: int) -> EnergySite:
    """The site or NotFound."""
    site = s.get(EnergySite, site_id)
    if site is None:
        raise NotFound("No such site.")
    return site


def create_site(db: Database, hub_id: int, terms: SiteTerms) -> int:
    """A hub's grid connection becomes a planned site."""
    if terms.grid_limit_kw is None:
        raise ValidationFailed("A site needs its grid limit in kW.", field="grid_limit_kw")
    with db.transaction() as s:
        if s.get(Hub, hub_id) is None:
            raise NotFound("No such hub.")
        if s.scalar(select(EnergySite.id).where(EnergySite.hub_id == hub_id)) is not None:
            raise Conflict("This hub already has a site.", code="site_exists")
        site = EnergySite(hub_id=hub_id, grid_limit_kw=terms.grid_limit_kw)
        _apply(site, terms)
        site.replan_requested_at = utcnow()
        s.add(site)
        s.flush()
        return site.id


def update_site(db: Database, site_id: int, terms: SiteTerms) -> None:
    """Change a site's limits or prices; it is planned again at once."""
    with db.transaction() as s:
        site = site_row(s, site_id)
        _apply(site, terms)
        site.replan_requested_at = utcnow()


def _apply(site: EnergySite, terms: SiteTerms) -> None:
    for name in SITE_FIELDS:
        value = getattr(terms, name)
        if value is not None:
            setattr(site, name, value)
    if terms.enabled is not None:
        site.enabled = terms.enabled


def put_series(
    db: Database, site_id: int, kind: SeriesKind, points: list[tuple[datetime, Decimal]]
) -> int:
    """Replace a site's values of one kind over the span the points cover (15-minute slots)."""
    if not points or len(points) > MAX_SERIES:
        raise ValidationFailed(f"Send 1 to {MAX_SERIES} values.", field="values")
    for at, value in points:
        if slot_start(at) != at:
            raise ValidationFailed(f"{at.isoformat()} is not on a 15-minute slot.", field="values")
        if not 0 <= value <= 100_000 and kind != SeriesKind.PRICE:
            raise ValidationFailed("Power values are 0 to 100,000 kW.", field="values")
        if not -10 <= value <= 10 and kind == SeriesKind.PRICE:
            raise ValidationFailed("Prices are -10 to 10 EUR/kWh.", field="values")
    first, last = min(at for at, _ in points), max(at for at, _ in points)
    with db.transaction() as s:
        site = site_row(s, site_id)
        s.execute(
            delete(EnergySeries).where(
                EnergySeries.site_id == site.id,
                EnergySeries.kind == kind,
                EnergySeries.slot_start >= first,
                EnergySeries.slot_start <= last,
            )
        )
        rows = {at: value for at, value in points}  # the last value of a slot wins
        s.execute(
            insert(EnergySeries),
            [
                {"site_id": site.id, "kind": kind, "slot_start": at, "value": value}
                for at, value in sorted(rows.items())
            ],
        )
        site.replan_requested_at = utcnow()
        return len(rows)


def resolve_flag(db: Database, flag_id: int) -> None:
    """The operator looked at it (a refused charger is steered again from the next plan)."""
    with db.transaction() as s:
        flag = s.get(EnergyFlag, flag_id)
        if flag is None:
            raise NotFound("No such flag.")
        if flag.resolved_at is None:
            flag.resolved_at = utcnow()
            site_row(s, flag.site_id).replan_requested_at = utcnow()


def set_home_bay(
    db: Database,
    vehicle_id: int,
    charge_point_id: str | None,
    connector_id: int | None,
    max_charge_kw: Decimal | None,
) -> None:
    """Say which connector an e-car parks on (None: none) and what power it takes."""
    with db.transaction() as s:
        vehicle = s.get(Vehicle, vehicle_id)
        if vehicle is None or vehicle.kind != VehicleKind.ECAR:
            raise NotFound("No such e-car.")
        if charge_point_id is None:
            vehicle.home_connector_id = None
        else:
            found = s.scalar(
                select(Connector.id)
                .join(Charger, Charger.id == Connector.charger_id)
                .where(
                    Charger.charge_point_id == charge_point_id,
                    Connector.connector_id == (connector_id or 1),
                )
            )
            if found is None:
                raise ValidationFailed("No such charger connector.", field="connector")
            vehicle.home_connector_id = found
        if max_charge_kw is not None:
            vehicle.max_charge_kw = max_charge_kw


def sites_overview(db: Database) -> list[dict[str, Any]]:
    """Every site with its hub, latest plan figures and open flags."""
    with db.sessions() as s:
        flags = dict(
            s.execute(
                select(EnergyFlag.site_id, func.count())
                .where(EnergyFlag.resolved_at.is_(None))
                .group_by(EnergyFlag.site_id)
            ).all()
        )
        out = []
        for site, hub_name in s.execute(
            select(EnergySite, Hub.name).join(Hub, Hub.id == EnergySite.hub_id).order_by(Hub.name)
        ):
            latest = latest_plan(s, site.id)
            out.append(
                {
                    **site_json(site),
                    "hub": hub_name,
                    "open_flags": flags.get(site.id, 0),
                    "short_bookings": latest.short_bookings if latest else 0,
                }
            )
        return out


def latest_plan(s: Session, site_id: int) -> EnergyPlan | None:
    """A site's newest plan."""
    return s.scalar(
        select(EnergyPlan)
        .where(EnergyPlan.site_id == site_id)
        .order_by(EnergyPlan.created_at.desc(), EnergyPlan.id.desc())
        .limit(1)
    )


def site_json(site: EnergySite) -> dict[str, Any]:
    """A site as the API shows it."""
    return {
        "id": site.id,
        "hub_id": site.hub_id,
        "grid_limit_kw": str(site.grid_limit_kw),
        "phase_limit_a": None if site.phase_limit_a is None else str(site.phase_limit_a),
        "pv_peak_kwp": None if site.pv_peak_kwp is None else str(site.pv_peak_kwp),
        "flat_price_eur_kwh": str(site.flat_price_eur_kwh),
        "voltage_v": site.voltage_v,
        "enabled": site.enabled,
        "planned_at": None if site.planned_at is None else site.planned_at.isoformat(),
    }


def flag_json(flag: EnergyFlag) -> dict[str, Any]:
    """A flag as the API shows it."""
    return {
        "id": flag.id,
        "site_id": flag.site_id,
        "kind": flag.kind,
        "subject": flag.subject,
        "message": flag.message,
        "created_at": flag.created_at.isoformat(),
        "resolved_at": None if flag.resolved_at is None else flag.resolved_at.isoformat(),
    }


def open_flags(db: Database, site_id: int | None = None) -> list[dict[str, Any]]:
    """Unresolved flags, newest first."""
    with db.sessions() as s:
        stmt = select(EnergyFlag).where(EnergyFlag.resolved_at.is_(None))
        if site_id is not None:
            stmt = stmt.where(EnergyFlag.site_id == site_id)
        return [flag_json(f) for f in s.scalars(stmt.order_by(EnergyFlag.created_at.desc()))]
