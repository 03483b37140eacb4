"""Invoices and payments for the console, and refunds through the billing facade."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from billing.facade import Billing
from console.services.audit import Actor, record
from console.services.paging import Page, page_of
from mobility.db import Database
from mobility.errors import NotFound, ValidationFailed
from mobility.models import Invoice, Payment


@dataclass(frozen=True)
class InvoiceView:
    """An invoice with its payments and the credit notes issued against it."""

    invoice: Invoice
    payments: list[Payment]
    credits: list[Invoice]

    @property
    def refundable_minor(self) -> int:
        """What is left to refund (credit notes carry negative totals)."""
        return self.invoice.total_minor + sum(c.total_minor for c in self.credits)


def invoices(
    db: Database, q: str, status: str | None, kind: str | None, page: int, per_page: int
) -> Page[Invoice]:
    """Invoices newest first, by number or billed name, status and kind."""
    stmt = select(Invoice).order_by(Invoice.issued_at.desc(), Invoice.id.desc())
    if q:
        stmt = stmt.where(func.lower(Invoice.number).like(f"%{q.lower()}%"))
    if status:
        stmt = stmt.where(Invoice.status == status)
    if kind:
        stmt = stmt.where(Invoice.kind == kind)
    with db.sessions() as s:
        return page_of(s, stmt, page, per_page)


def payments(db: Database, status: str | None, page: int, per_page: int) -> Page[Payment]:
    """Payments newest first, optionally only those in one state (failed ones, say)."""
    stmt = select(Payment).order_by(Payment.created_at.desc(), Payment.id.desc())
    if status:
        stmt = stmt.where(Payment.status == status)
    with db.sessions() as s:
        return page_of(s, stmt, page, per_page)


def invoice_view(db: Database, invoice_id: int) -> InvoiceView:
    """One invoice with its lines, payments and credit notes."""
    with db.sessions() as s:
        invoice = s.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(f"No invoice {invoice_id}.")
        credits = list(s.scalars(select(Invoice).where(Invoice.credit_for_id == invoice.id)))
        for inv in (invoice, *credits):
            list(inv.lines)  # loaded now: the page renders after the session closes
        paid = s.scalars(
            select(Payment)
            .where(Payment.invoice_id.in_([invoice.id, *(c.id for c in credits)]))
            .order_by(Payment.id)
        )
        return InvoiceView(invoice, list(paid), credits)


def refund(
    db: Database, billing: Billing, actor: Actor, invoice_id: int, amount_minor: int, reason: str
) -> str:
    """Issue a credit note (and give the money back) through billing; returns its number."""
    if not reason.strip():
        raise ValidationFailed("Say why.", field="reason")
    with db.transaction() as s:
        invoice = s.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(f"No invoice {invoice_id}.")
        note = billing.refund(s, invoice, amount_minor, reason.strip())
        record(
            s,
            actor,
            "invoice.refund",
            "invoice",
            invoice.number,
            reason=reason.strip(),
            amount_minor=amount_minor,
            credit_note=note.number,
        )
        return note.number
