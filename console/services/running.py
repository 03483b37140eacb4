"""Charging sessions running now, for the live table: energy and power so far, cost so far.

Everything comes from the database (readings, our tariffs), so any web worker answers alike
and the ETag of a page of rows is the same whichever worker computes it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from billing.facade import Billing
from console.services.paging import Page, page_of
from console.services.sessions import ENERGY, POWER, SessionFilter, matching
from mobility.db import Database
from mobility.errors import DomainError
from mobility.models import Charger, ChargingTransaction, MeterValue, TransactionStatus, User


@dataclass(frozen=True)
class RunningRow:
    """A running session as the live table shows it."""

    tx_id: int
    charger: str
    connector_id: int
    id_tag: str
    user: str | None
    started_at: datetime
    energy_kwh: float | None  # since the start (None: no register reading yet)
    power_kw: float | None  # the latest reading
    read_at: datetime | None  # when the latest reading was taken
    cost_minor: int | None  # what it costs so far (None: no tariff prices it)
    currency: str | None


def _latest(s: Session, tx_id: int, measurand: str) -> tuple[datetime, Decimal] | None:
    """The session's latest whole-meter reading of a measurand (the index walks backwards)."""
    row = s.execute(
        select(MeterValue.timestamp, MeterValue.value)
        .where(
            MeterValue.transaction_id == tx_id,
            MeterValue.measurand == measurand,
            MeterValue.phase.is_(None),
        )
        .order_by(MeterValue.timestamp.desc(), MeterValue.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _row(
    s: Session,
    billing: Billing,
    tx: ChargingTransaction,
    names: tuple[str, str | None],
    now: datetime,
) -> RunningRow:
    energy, power = _latest(s, tx.id, ENERGY), _latest(s, tx.id, POWER)
    try:
        price = billing.running_price(s, tx, now)
        cost, currency = price.total_minor, price.currency
    except DomainError:  # no tariff for it, or one the pricing rules refuse
        cost, currency = None, None
    read = [found[0] for found in (energy, power) if found is not None]
    return RunningRow(
        tx_id=tx.id,
        charger=names[0],
        connector_id=tx.connector_id,
        id_tag=tx.id_tag,
        user=names[1],
        started_at=tx.started_at,
        energy_kwh=float((energy[1] - tx.meter_start_wh) / 1000) if energy else None,
        power_kw=float(power[1] / 1000) if power else None,
        read_at=max(read) if read else None,
        cost_minor=cost,
        currency=currency,
    )


def running(
    db: Database, billing: Billing, now: datetime, f: SessionFilter, page: int, per_page: int
) -> Page[RunningRow]:
    """A page of the sessions running now that match the list's filter, newest first, each
    priced up to `now`."""
    if f.status not in (None, TransactionStatus.ACTIVE):
        return Page([], 0, page, per_page)
    stmt = (
        select(ChargingTransaction, Charger.charge_point_id, User.email)
        .join(Charger, Charger.id == ChargingTransaction.charger_id)
        .outerjoin(User, User.id == ChargingTransaction.user_id)
        .where(ChargingTransaction.status == TransactionStatus.ACTIVE, *matching(f))
        .order_by(ChargingTransaction.started_at.desc(), ChargingTransaction.id.desc())
    )
    with db.sessions() as s:
        found = page_of(s, stmt, page, per_page, rows=True)
        rows = [_row(s, billing, tx, (cp, email), now) for tx, cp, email in found.items]
    return Page(rows, found.total, found.page, found.per_page)


def fingerprint(found: Page[RunningRow]) -> str:
    """A digest of everything the live table shows (its ETag)."""
    facts = (found.total, found.page, found.per_page, found.items)
    return hashlib.sha256(repr(facts).encode()).hexdigest()[:32]
