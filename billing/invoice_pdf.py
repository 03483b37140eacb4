"""Invoices and credit notes as PDF documents (fpdf2, with an embedded Unicode font).

The caller hands in how to write money, numbers and days and the labels, in the reader's
language; the document itself shows what the invoice says, frozen when it was issued.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from mobility.models import Invoice
from mobility.money import format_minor

FONTS = Path(__file__).parent / "fonts"
FONT = "DejaVu"  # DejaVu Sans Condensed: every character of European names and currencies

# English labels; a page passes its own translations.
LABELS = {
    "invoice": "Invoice",
    "credit_note": "Credit note",
    "issued": "Issued",
    "status": "Status",
    "period": "Period",
    "bill_to": "Bill to",
    "vat_id": "VAT id",
    "item": "Item",
    "quantity": "Quantity",
    "net": "Net",
    "vat_rate": "VAT rate",
    "vat": "VAT",
    "total_excl_vat": "Total excl. VAT",
    "total": "Total",
}


def _plain_number(value: Decimal) -> str:
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


@dataclass(frozen=True)
class PdfText:
    """How the reader writes money, numbers and days, and the labels in their language."""

    money: Callable[[int, str], str] = format_minor
    number: Callable[[Decimal], str] = _plain_number
    day: Callable[[datetime], str] = lambda d: d.strftime("%Y-%m-%d")
    labels: Mapping[str, str] = field(default_factory=lambda: dict(LABELS))


def invoice_pdf(invoice: Invoice, text: PdfText | None = None, issuer: str = "") -> bytes:
    """The invoice (with its lines loaded) as a one-document PDF."""
    t = text or PdfText()
    pdf = FPDF(format="A4")
    pdf.add_font(FONT, "", str(FONTS / "DejaVuSansCondensed.ttf"))
    pdf.add_font(FONT, "B", str(FONTS / "DejaVuSansCondensed-Bold.ttf"))
    title = f"{t.labels['credit_note' if invoice.kind == 'credit_note' else 'invoice']}"
    pdf.set_title(f"{title} {invoice.number}")
    pdf.set_author(issuer or "Mobility hub")
    pdf.add_page()
    _heading(pdf, t, invoice, f"{title} {invoice.number}", issuer)
    _bill_to(pdf, t, invoice.bill_to or {})
    _lines(pdf, t, invoice)
    _totals(pdf, t, invoice)
    return bytes(pdf.output())


def _line(pdf: FPDF, text: str, size: float = 10, bold: bool = False) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, t: PdfText, invoice: Invoice, title: str, issuer: str) -> None:
    if issuer:
        _line(pdf, issuer, 9)
    _line(pdf, title, 16, bold=True)
    labels = t.labels
    _line(
        pdf,
        f"{labels['issued']}: {t.day(invoice.issued_at)} · {labels['status']}: {invoice.status}",
    )
    if invoice.period_start and invoice.period_end:
        last = invoice.period_end - timedelta(microseconds=1)  # the period ends exclusive
        period = f"{t.day(invoice.period_start)} \N{EN DASH} {t.day(last)}"
        _line(pdf, f"{labels['period']}: {period}")
    pdf.ln(4)


def _bill_to(pdf: FPDF, t: PdfText, bill: Mapping[str, object]) -> None:
    _line(pdf, t.labels["bill_to"], 9, bold=True)
    _line(pdf, str(bill.get("name", "")), bold=True)
    if bill.get("vat_id"):
        _line(pdf, f"{t.labels['vat_id']} {bill['vat_id']}")
    address = bill.get("address")
    for part in address if isinstance(address, list) else []:
        if part:
            _line(pdf, str(part))
    if bill.get("email"):
        _line(pdf, str(bill["email"]))
    pdf.ln(4)


def _lines(pdf: FPDF, t: PdfText, invoice: Invoice) -> None:
    labels, cur = t.labels, invoice.currency
    pdf.set_font(FONT, "", 9)
    widths = (78, 30, 28, 20, 24)
    aligns = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
    with pdf.table(col_widths=widths, text_align=aligns, line_height=5) as table:
        head = table.row()
        for key in ("item", "quantity", "net", "vat_rate", "vat"):
            head.cell(labels[key])
        for ln in invoice.lines:
            row = table.row()
            row.cell(ln.description)
            row.cell(f"{t.number(ln.quantity)} {ln.unit}")
            row.cell(t.money(ln.amount_excl_vat_minor, cur))
            row.cell(f"{t.number(ln.vat_percent)} %")
            row.cell(t.money(ln.vat_minor, cur))
    pdf.ln(3)


def _totals(pdf: FPDF, t: PdfText, invoice: Invoice) -> None:
    labels, cur = t.labels, invoice.currency
    for key, amount, bold in (
        ("total_excl_vat", invoice.total_excl_vat_minor, False),
        ("vat", invoice.vat_minor, False),
        ("total", invoice.total_minor, True),
    ):
        pdf.set_font(FONT, "B" if bold else "", 11 if bold else 10)
        pdf.cell(150, 6, labels[key], align="R")
        pdf.cell(30, 6, t.money(amount, cur), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
