"""Immutable, gap-free numbered invoices and credit notes (the caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from billing import refunds
from billing.pricing import PriceLine
from mobility.clock import utcnow
from mobility.errors import Conflict, ValidationFailed
from mobility.models import (
    Company,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceSequence,
    InvoiceStatus,
    User,
)
from mobility.money import format_minor, to_major


def next_number(s: Session, series: str) -> str:
    """Take the next number of a series under a row lock (gap-free under concurrency)."""
    # A new series (a new year) may be started by several transactions at once: the row is
    # inserted if missing without failing on the others' insert, then locked.
    insert = pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert
    s.execute(
        insert(InvoiceSequence)
        .values(series=series, next_value=1)
        .on_conflict_do_nothing(index_elements=["series"])
    )
    seq = s.get(InvoiceSequence, series, with_for_update=True, populate_existing=True)
    assert seq is not None
    number = seq.next_value
    seq.next_value = number + 1
    return f"{series}-{number:06d}"


def bill_to_user(user: User) -> dict[str, Any]:
    """Customer details of a citizen, frozen onto the invoice."""
    return {"name": user.full_name or user.email, "email": user.email}


def bill_to_company(company: Company) -> dict[str, Any]:
    """Customer details of a company, frozen onto the invoice."""
    return {
        "name": company.name,
        "vat_id": company.vat_id,
        "email": company.contact_email,
        "address": [
            company.billing_street,
            f"{company.billing_postcode} {company.billing_city}".strip(),
            company.billing_country,
        ],
    }


def issue(
    s: Session,
    *,
    kind: InvoiceKind,
    currency: str,
    lines: Sequence[PriceLine],
    bill_to: dict[str, Any],
    issued_at: datetime | None = None,
    member_user_id: int | None = None,
    cost_centre_id: int | None = None,
    **links: Any,
) -> Invoice:
    """Create a numbered invoice from priced lines; totals are the sums of its lines."""
    when = issued_at or utcnow()
    series = ("CN" if kind is InvoiceKind.CREDIT_NOTE else "INV") + f"-{when.year}"
    excl = sum(ln.amount_excl_vat_minor for ln in lines)
    vat = sum(ln.vat_minor for ln in lines)
    invoice = Invoice(
        number=next_number(s, series),
        kind=kind,
        currency=currency,
        total_excl_vat_minor=excl,
        vat_minor=vat,
        total_minor=excl + vat,
        bill_to=bill_to,
        issued_at=when,
        status=InvoiceStatus.OPEN,
        **links,
    )
    s.add(invoice)
    s.flush()
    s.add_all(
        _invoice_line(invoice.id, pos, ln, member_user_id, cost_centre_id)
        for pos, ln in enumerate(lines, start=1)
    )
    s.flush()
    return invoice


def _invoice_line(
    invoice_id: int,
    position: int,
    ln: PriceLine,
    member_user_id: int | None,
    cost_centre_id: int | None,
) -> InvoiceLine:
    """A priced line as stored on its invoice (members and cost centres for fleet invoices)."""
    return InvoiceLine(
        invoice_id=invoice_id,
        position=position,
        description=ln.description,
        component=ln.component,
        quantity=ln.quantity,
        unit=ln.unit,
        unit_price_excl_vat=ln.unit_price,
        amount_excl_vat_minor=ln.amount_excl_vat_minor,
        vat_percent=ln.vat_percent,
        vat_minor=ln.vat_minor,
        member_user_id=member_user_id,
        cost_centre_id=cost_centre_id,
    )


def _credit_lines(s: Session, original: Invoice, amount_minor: int, reason: str) -> list[PriceLine]:
    """One credit line per VAT rate of the original's lines (billing.refunds)."""
    credited = s.scalars(
        select(InvoiceLine)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(Invoice.credit_for_id == original.id)
    )
    left = refunds.remaining(
        refunds.by_rate(
            (ln.vat_percent, ln.amount_excl_vat_minor, ln.vat_minor) for ln in original.lines
        ),
        refunds.by_rate(
            (ln.vat_percent, ln.amount_excl_vat_minor, ln.vat_minor) for ln in credited
        ),
    )
    try:
        split = refunds.split_refund(amount_minor, left)
    except ValueError:
        raise Conflict("This invoice has nothing left to refund at its VAT rates.") from None
    several = len(split) > 1
    return [
        PriceLine(
            description=f"Credit for {original.number}: {reason}"
            + (f" (VAT {rate.normalize():f} %)" if several else ""),
            component="CREDIT",
            quantity=Decimal(1),
            unit="credit",
            unit_price=to_major(-net, original.currency),
            amount_excl_vat_minor=-net,
            vat_percent=rate,
            vat_minor=-vat,
        )
        for rate, (net, vat) in sorted(split.items(), reverse=True)
    ]


def credit_note(s: Session, original: Invoice, amount_minor: int, reason: str) -> Invoice:
    """A credit note refunding part or all of an invoice, split over its VAT rates."""
    if original.kind == InvoiceKind.CREDIT_NOTE:
        raise ValidationFailed("A credit note cannot itself be credited.")
    already = -sum(
        inv.total_minor
        for inv in s.scalars(select(Invoice).where(Invoice.credit_for_id == original.id))
    )
    if amount_minor <= 0 or amount_minor + already > original.total_minor:
        left = original.total_minor - already
        smallest = format_minor(1, original.currency)
        raise Conflict(
            f"Refund must be between {smallest} and the "
            f"{format_minor(left, original.currency)} still refundable."
        )
    lines = _credit_lines(s, original, amount_minor, reason)
    return issue(
        s,
        kind=InvoiceKind.CREDIT_NOTE,
        currency=original.currency,
        lines=lines,
        bill_to=original.bill_to,
        credit_for_id=original.id,
        user_id=original.user_id,
        company_id=original.company_id,
        trip_id=None,
        tariff_code=original.tariff_code,
    )
