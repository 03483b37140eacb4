"""Billing: invoices, payments (failed ones first to look at), refunds with a reason."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect, request, url_for

from billing.render import invoice_html
from console.context import ctx
from console.pages import actor, bp, page, paging
from console.services import billing
from mobility.errors import DomainError, ValidationFailed
from mobility.models import InvoiceKind, InvoiceStatus, PaymentStatus
from mobility.money import to_minor


def _choice(name: str, allowed: Any) -> str | None:
    value = request.args.get(name) or None
    if value is not None and value not in set(allowed):
        raise ValidationFailed(f"Unknown {name}.", field=name)
    return value


@bp.get("/invoices")
def invoices_list() -> Any:
    """Invoices and credit notes, newest first."""
    number, per_page = paging()
    found = billing.invoices(
        ctx().db,
        request.args.get("q", "").strip()[:30],
        _choice("status", InvoiceStatus),
        _choice("kind", InvoiceKind),
        number,
        per_page,
    )
    return page("invoices.html", found=found, statuses=list(InvoiceStatus), kinds=list(InvoiceKind))


@bp.get("/payments")
def payments_list() -> Any:
    """Payments with the provider, newest first (?status=failed for the failed ones)."""
    number, per_page = paging()
    found = billing.payments(ctx().db, _choice("status", PaymentStatus), number, per_page)
    return page("payments.html", found=found, statuses=list(PaymentStatus))


def _invoice_page(invoice_id: int, status: int = 200, **extra: Any) -> Any:
    view = billing.invoice_view(ctx().db, invoice_id)
    documents = [invoice_html(i) for i in (view.invoice, *view.credits)]
    return page("invoice.html", status, v=view, documents=documents, **extra)


@bp.get("/invoices/<int:invoice_id>")
def invoice(invoice_id: int) -> Any:
    """An invoice with its payments, credit notes and the refund form."""
    return _invoice_page(invoice_id)


@bp.post("/invoices/<int:invoice_id>/refund")
def invoice_refund(invoice_id: int) -> Any:
    """Refund part or all of an invoice, with a reason (a credit note through billing)."""
    c = ctx()
    try:
        currency = billing.invoice_view(c.db, invoice_id).invoice.currency
        try:
            amount = to_minor(Decimal(request.form.get("amount", "").strip()), currency)
        except InvalidOperation:
            raise ValidationFailed("The amount must be a number.", field="amount") from None
        reason = request.form.get("reason", "")
        note = billing.refund(c.db, c.billing, actor(), invoice_id, amount, reason)
    except DomainError as exc:
        return _invoice_page(invoice_id, exc.http_status, error=exc.message)
    flash(f"Credit note {note} issued.")
    return redirect(url_for("console.invoice", invoice_id=invoice_id), 303)
