"""Charging sessions for the console: the filtered list and one session with its curves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from billing.facade import Billing
from billing.pricing import PriceBreakdown
from console.services.paging import Page
from mobility.db import Database
from mobility.errors import DomainError, NotFound
from mobility.models import (
    Charger,
    ChargingTransaction,
    Company,
    Invoice,
    InvoiceKind,
    MeterValue,
    User,
)

ENERGY = "Energy.Active.Import.Register"
POWER = "Power.Active.Import"
SOC = "SoC"


@dataclass(frozen=True)
class SessionFilter:
    """What the sessions list is narrowed to."""

    charger: str = ""
    card: str = ""
    user: str = ""
    company_id: int | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class SessionRow:
    """One line of the sessions list."""

    tx: ChargingTransaction
    charger: str
    user: str | None
    company: str | None


@dataclass(frozen=True)
class SessionView:
    """A session with its readings, price and invoices."""

    tx: ChargingTransaction
    charger: Charger
    user: User | None
    company: Company | None
    series: dict[str, list[tuple[datetime, float]]]
    price: PriceBreakdown | None
    price_error: str | None
    invoices: list[Invoice]


def matching(f: SessionFilter) -> list[ColumnElement[bool]]:
    """Conditions on the sessions table alone (the count needs no join)."""
    where: list[ColumnElement[bool]] = []
    if f.charger:
        charger = select(Charger.id).where(Charger.charge_point_id == f.charger)
        where.append(ChargingTransaction.charger_id == charger.scalar_subquery())
    if f.card:
        where.append(ChargingTransaction.id_tag == f.card)
    if f.user:
        users = select(User.id).where(func.lower(User.email).like(f"%{f.user.lower()}%"))
        where.append(ChargingTransaction.user_id.in_(users))
    if f.company_id is not None:
        where.append(ChargingTransaction.company_id == f.company_id)
    if f.status:
        where.append(ChargingTransaction.status == f.status)
    if f.since is not None:
        where.append(ChargingTransaction.started_at >= f.since)
    if f.until is not None:
        where.append(ChargingTransaction.started_at < f.until)
    return where


def list_sessions(db: Database, f: SessionFilter, page: int, per_page: int) -> Page[SessionRow]:
    """A page of sessions, newest first, with charger, user and company names."""
    where = matching(f)
    ids = (
        select(ChargingTransaction.id)
        .where(*where)
        .order_by(ChargingTransaction.started_at.desc(), ChargingTransaction.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    with db.sessions() as s:
        total = s.scalar(select(func.count()).select_from(ChargingTransaction).where(*where)) or 0
        rows = s.execute(
            select(ChargingTransaction, Charger.charge_point_id, User.email, Company.name)
            .join(Charger, Charger.id == ChargingTransaction.charger_id)
            .outerjoin(User, User.id == ChargingTransaction.user_id)
            .outerjoin(Company, Company.id == ChargingTransaction.company_id)
            .where(ChargingTransaction.id.in_(list(s.scalars(ids))))
            .order_by(ChargingTransaction.started_at.desc(), ChargingTransaction.id.desc())
        )
        items = [SessionRow(tx, cp, email, company) for tx, cp, email, company in rows]
    return Page(items, total, page, per_page)


def companies(db: Database) -> list[tuple[int, str]]:
    """Companies to filter by."""
    with db.sessions() as s:
        return [
            (i, n) for i, n in s.execute(select(Company.id, Company.name).order_by(Company.name))
        ]


def _series(s: Session, tx: ChargingTransaction) -> dict[str, list[tuple[datetime, float]]]:
    """Energy delivered (kWh since start), power (kW) and state of charge (%) over time."""
    # A Core read: a long session has thousands of readings and needs no ORM objects.
    rows = s.connection().execute(
        select(MeterValue.timestamp, MeterValue.measurand, MeterValue.value)
        .where(
            MeterValue.transaction_id == tx.id,
            MeterValue.measurand.in_((ENERGY, POWER, SOC)),
            MeterValue.phase.is_(None),
        )
        .order_by(MeterValue.timestamp)
    )
    series: dict[str, list[tuple[datetime, float]]] = {ENERGY: [], POWER: [], SOC: []}
    start = Decimal(tx.meter_start_wh)
    for at, measurand, value in rows:
        if measurand == ENERGY:
            series[ENERGY].append((at, float((value - start) / 1000)))
        elif measurand == POWER:
            series[POWER].append((at, float(value / 1000)))
        else:
            series[SOC].append((at, float(value)))
    return series


def _price(
    s: Session, billing: Billing, tx: ChargingTransaction, invoiced: bool
) -> tuple[PriceBreakdown | None, str | None]:
    """The session priced again, unless its invoice already says what it cost."""
    if tx.stopped_at is None or tx.orphan or invoiced:
        return None, None
    try:
        return billing.price_charging(s, tx), None
    except DomainError as exc:  # no tariff, or a tariff the pricing rules refuse
        return None, exc.message


def session_view(db: Database, billing: Billing, tx_id: int) -> SessionView:
    """One session with its meter-value curves, price breakdown and invoices."""
    with db.sessions() as s:
        tx = s.get(ChargingTransaction, tx_id)
        if tx is None:
            raise NotFound(f"No charging session {tx_id}.")
        charger = s.get(Charger, tx.charger_id)
        assert charger is not None  # a foreign key guarantees it
        invoice = s.scalar(
            select(Invoice).where(
                Invoice.kind == InvoiceKind.CHARGING, Invoice.charging_transaction_id == tx.id
            )
        )
        invoices = [invoice] if invoice else []
        if invoice is not None:
            invoices += s.scalars(select(Invoice).where(Invoice.credit_for_id == invoice.id))
        for inv in invoices:
            list(inv.lines)  # loaded now: the page renders after the session closes
        price, price_error = _price(s, billing, tx, invoice is not None)
        return SessionView(
            tx=tx,
            charger=charger,
            user=s.get(User, tx.user_id) if tx.user_id else None,
            company=s.get(Company, tx.company_id) if tx.company_id else None,
            series=_series(s, tx),
            price=price,
            price_error=price_error,
            invoices=invoices,
        )
