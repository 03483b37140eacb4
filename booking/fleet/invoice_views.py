"""A fleet account's invoices for its admins: as a page, and as a PDF to file or forward."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, render_template
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from billing.invoice_pdf import PdfText, invoice_pdf
from booking.context import ctx
from booking.fleet import services
from booking.fleet.views import bp
from mobility.errors import NotFound
from mobility.models import Company, Invoice
from mobility.web.auth import login_required, require_user
from mobility.web.i18n import money, number


def _invoice(s: Session, cid: int, number_: str) -> Invoice:
    services.access_for(s, require_user(), cid, admin=True)
    invoice = s.scalar(
        select(Invoice)
        .options(selectinload(Invoice.lines))
        .where(Invoice.company_id == cid, Invoice.number == number_)
    )
    if invoice is None:
        raise NotFound(_("No such invoice."))
    return invoice


@bp.get("/<int:cid>/invoices/<number_>")
@login_required
def invoice_page(cid: int, number_: str) -> Any:
    """One of the company's invoices, with its lines and totals."""
    with ctx().db.sessions() as s:
        invoice = _invoice(s, cid, number_)
        day = pdf_text().day
        period = None
        if invoice.period_start and invoice.period_end:
            # The period ends exclusive: a month runs to the eve of the next one's first.
            last = invoice.period_end - timedelta(microseconds=1)
            period = (day(invoice.period_start), day(last))
        return render_template(
            "fleet/invoice.html",
            company=s.get(Company, cid),
            invoice=invoice,
            period=period,
            money=money,  # the page's locale (booking's older pages still pass their own)
        )


def pdf_text() -> PdfText:
    """Money, numbers, days and labels of a PDF in the page's language."""
    labels = {
        "invoice": _("Invoice"),
        "credit_note": _("Credit note"),
        "issued": _("Issued"),
        "status": _("Status"),
        "period": _("Period"),
        "bill_to": _("Bill to"),
        "vat_id": _("VAT id"),
        "item": _("Item"),
        "quantity": _("Quantity"),
        "net": _("Net"),
        "vat_rate": _("VAT rate"),
        "vat": _("VAT"),
        "total_excl_vat": _("Total excl. VAT"),
        "total": _("Total"),
    }
    tz = ctx().settings.timezone
    return PdfText(
        money=money,
        number=number,
        day=lambda d: str(format_date(d.astimezone(ZoneInfo(tz)).date(), "medium")),
        labels=labels,
    )


@bp.get("/<int:cid>/invoices/<number_>/pdf")
@login_required
def invoice_pdf_file(cid: int, number_: str) -> Response:
    """The invoice as a PDF download."""
    with ctx().db.sessions() as s:
        invoice = _invoice(s, cid, number_)
        data = invoice_pdf(invoice, pdf_text(), issuer=_("Mobility hubs"))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"attachment; filename={invoice.number}.pdf"},
    )
