"""Seed a demo district (Lyon Confluence): hubs, vehicles, chargers, tariffs, people. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import (
    Charger,
    Company,
    Connector,
    CostCentre,
    EnergySite,
    Hub,
    IdToken,
    MemberRole,
    Membership,
    Tariff,
    TariffScope,
    User,
    UserRole,
    Vehicle,
    VehicleKind,
)
from mobility.security import hash_password, token_digest

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - published demo credentials
CHARGER_PASSWORD = "charger-secret-2026"  # noqa: S105

HUBS = [
    ("confluence-nautique", "Place Nautique", "Quai Riboud 12", "45.741200", "4.817900"),
    ("sainte-blandine", "Sainte-Blandine", "Rue Smith 34", "45.745600", "4.823100"),
    ("perrache", "Gare de Perrache", "Cours de Verdun 14", "45.749000", "4.826400"),
]


def _component(kind: str, price: str, vat: str = "20.0", step: int = 1) -> dict[str, Any]:
    return {"type": kind, "price": price, "vat": vat, "step_size": step}


TARIFFS: list[dict[str, Any]] = [
    {
        "code": "EBIKE-STD",
        "name": "E-bike: 1 EUR unlock + 0.15 EUR/min",
        "scope": TariffScope.EBIKE,
        "elements": [
            {"price_components": [_component("FLAT", "1.00")]},
            {"price_components": [_component("TIME", "9.00", step=60)]},
        ],
        "daily_cap_excl_vat": Decimal("20.00"),
    },
    {
        "code": "ECAR-STD",
        "name": "E-car: 0.30 EUR/min + 0.25 EUR/km, day cap 60 EUR",
        "scope": TariffScope.ECAR,
        "elements": [
            {"price_components": [_component("TIME", "18.00", step=60)]},
            {"price_components": [_component("DISTANCE", "0.25", step=100)]},
        ],
        "daily_cap_excl_vat": Decimal("60.00"),
    },
    {
        "code": "CHARGE-STD",
        "name": "Charging: 0.35 EUR/kWh, 0.10 EUR/min idle after charging",
        "scope": TariffScope.CHARGING,
        "elements": [
            {"price_components": [_component("ENERGY", "0.35", step=1)]},
            {"price_components": [_component("PARKING_TIME", "6.00", step=60)]},
        ],
    },
]


@dataclass
class DemoSummary:
    """What the demo seed created or found."""

    hubs: int
    vehicles: int
    chargers: int
    users: int


def _get_or_add(s: Session, entity: Any, where: dict[str, Any], **values: Any) -> Any:
    obj = s.scalar(select(entity).filter_by(**where))
    if obj is None:
        obj = entity(**where, **values)
        s.add(obj)
        s.flush()
    return obj


def _seed_hubs(s: Session) -> list[Hub]:
    return [
        _get_or_add(
            s,
            Hub,
            {"slug": slug},
            name=name,
            district="Lyon Confluence",
            street=street,
            postcode="69002",
            city="Lyon",
            country="FR",
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            timezone="Europe/Paris",
            opening_hours=None,
            capacity=20,
        )
        for slug, name, street, lat, lon in HUBS
    ]


def _seed_vehicles(s: Session, hubs: list[Hub]) -> int:
    count = 0
    for i, hub in enumerate(hubs):
        for n in range(4):
            code = f"BIKE-{i + 1}{n + 1:02d}"
            _get_or_add(
                s,
                Vehicle,
                {"code": code},
                kind=VehicleKind.EBIKE,
                model="Urban e-bike 500 Wh",
                hub_id=hub.id,
                battery_kwh=Decimal("0.50"),
                max_range_km=70,
                soc_percent=60 + 10 * n,
            )
            count += 1
        for n in range(2):
            code = f"CAR-{i + 1}{n + 1:02d}"
            _get_or_add(
                s,
                Vehicle,
                {"code": code},
                kind=VehicleKind.ECAR,
                model="Renault Zoe E-Tech" if n == 0 else "Fiat 500e",
                plate=f"GA-{i + 1}{n + 1}0-LY",
                seats=4,
                hub_id=hub.id,
                battery_kwh=Decimal("52.00") if n == 0 else Decimal("42.00"),
                max_range_km=390 if n == 0 else 320,
                soc_percent=85 - 30 * n,
            )
            count += 1
    return count


def _seed_chargers(s: Session, hubs: list[Hub]) -> int:
    for i, hub in enumerate(hubs):
        cp_id = f"CP-LYON-{i + 1:03d}"
        charger = _get_or_add(
            s,
            Charger,
            {"charge_point_id": cp_id},
            hub_id=hub.id,
            name=f"{hub.name} charger",
            password_hash=token_digest(CHARGER_PASSWORD),
            max_power_w=22000,
        )
        for connector_id in (1, 2):
            _get_or_add(
                s,
                Connector,
                {"charger_id": charger.id, "connector_id": connector_id},
                max_power_w=11000,
            )
    return len(hubs)


def _licence(number: str) -> dict[str, Any]:
    """A French driving licence valid for years, counted as checked (demo drivers book e-cars)."""
    now = utcnow()
    return {
        "driving_licence_number": number,
        "driving_licence_country": "FR",
        "driving_licence_expires_on": now.date().replace(year=now.year + 10, day=1),
        "driving_licence_verified_at": now,
    }


def _seed_people(s: Session) -> int:
    # Demo accounts sign in at once: their e-mail addresses count as confirmed.
    pw, confirmed = hash_password(DEMO_PASSWORD), utcnow()
    person = {"password_hash": pw, "email_verified_at": confirmed}
    people = {
        email: _get_or_add(
            s, User, {"email": email}, full_name=name, role=role, **person, **_licence(number)
        )
        for email, name, role, number in (
            ("citizen@example.org", "Camille Martin", UserRole.CITIZEN, "CM0413926"),
            ("operator@example.org", "Hub Operator", UserRole.OPERATOR, "HO0905118"),
            ("fleet-admin@example.org", "Lea Dubois", UserRole.CITIZEN, "LD0718254"),
            ("driver@example.org", "Hugo Bernard", UserRole.CITIZEN, "HB1102377"),
        )
    }
    admin, member = people["fleet-admin@example.org"], people["driver@example.org"]
    company = _get_or_add(
        s,
        Company,
        {"vat_id": "FR40303265045"},
        name="Confluence Logistique SAS",
        contact_name="Lea Dubois",
        contact_email="fleet-admin@example.org",
        billing_street="Cours Charlemagne 112",
        billing_postcode="69002",
        billing_city="Lyon",
        billing_country="FR",
        monthly_limit_minor=200000,
    )
    cc = _get_or_add(s, CostCentre, {"company_id": company.id, "code": "OPS"}, name="Operations")
    _get_or_add(
        s,
        Membership,
        {"company_id": company.id, "user_id": admin.id},
        role=MemberRole.ADMIN,
        cost_centre_id=cc.id,
    )
    _get_or_add(
        s,
        Membership,
        {"company_id": company.id, "user_id": member.id},
        role=MemberRole.MEMBER,
        cost_centre_id=cc.id,
        monthly_limit_minor=30000,
    )
    _get_or_add(
        s,
        IdToken,
        {"id_tag": "RFID-CONFLUENCE-0001"},
        label="Hugo's company card",
        user_id=member.id,
        company_id=company.id,
    )
    return 4


def seed_demo(db: Database) -> DemoSummary:
    """Create the demo district if missing; running it again changes nothing."""
    with db.transaction() as s:
        for spec in TARIFFS:
            _get_or_add(
                s, Tariff, {"code": spec["code"]}, **{k: v for k, v in spec.items() if k != "code"}
            )
        hubs = _seed_hubs(s)
        vehicles = _seed_vehicles(s, hubs)
        chargers = _seed_chargers(s, hubs)
        users = _seed_people(s)
    return DemoSummary(hubs=len(hubs), vehicles=vehicles, chargers=chargers, users=users)


def seed_smart_charging(db: Database) -> int:
    """Smart charging for the demo: each hub a 15 kW connection with 20 kWp of PV, its e-cars
    parked on the hub charger's connectors with their own cards. Safe to run again."""
    with db.transaction() as s:
        hubs = list(s.scalars(select(Hub).order_by(Hub.id)))
        for hub in hubs:
            _get_or_add(
                s,
                EnergySite,
                {"hub_id": hub.id},
                grid_limit_kw=Decimal(15),
                pv_peak_kwp=Decimal(20),
            )
            bays = list(
                s.scalars(
                    select(Connector)
                    .join(Charger, Charger.id == Connector.charger_id)
                    .where(Charger.hub_id == hub.id, Connector.connector_id > 0)
                    .order_by(Charger.id, Connector.connector_id)
                )
            )
            cars = s.scalars(
                select(Vehicle)
                .where(Vehicle.hub_id == hub.id, Vehicle.kind == VehicleKind.ECAR)
                .order_by(Vehicle.id)
            )
            for car, bay in zip(cars, bays, strict=False):
                car.home_connector_id = car.home_connector_id or bay.id
                car.max_charge_kw = car.max_charge_kw or Decimal(11)
                _get_or_add(
                    s, IdToken, {"id_tag": f"CARD-{car.code}"}, vehicle_id=car.id, label=car.code
                )
        return len(hubs)
