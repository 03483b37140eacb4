"""Printable HTML invoices (print to PDF from the browser)."""

from __future__ import annotations

from markupsafe import Markup, escape

from mobility.models import Invoice
from mobility.money import format_minor, plain


def money(minor: int, currency: str) -> str:
    """12345, EUR -> '123.45 EUR' (digits after the point from the currency)."""
    return format_minor(minor, currency)


def invoice_html(invoice: Invoice) -> Markup:
    """A self-contained, printable HTML fragment for an invoice or credit note."""
    title = "Credit note" if invoice.kind == "credit_note" else "Invoice"
    bill = invoice.bill_to or {}
    address = "<br>".join(escape(str(x)) for x in bill.get("address", []) if x)
    rows = "".join(
        f"<tr><td>{escape(ln.description)}</td><td>{plain(ln.quantity)} {escape(ln.unit)}</td>"
        f"<td class='num'>{money(ln.amount_excl_vat_minor, invoice.currency)}</td>"
        f"<td class='num'>{plain(ln.vat_percent)}%</td>"
        f"<td class='num'>{money(ln.vat_minor, invoice.currency)}</td></tr>"
        for ln in invoice.lines
    )
    return Markup(  # noqa: S704 - every interpolated value is escaped or numeric
        f"<article class='invoice' aria-label='{title} {escape(invoice.number)}'>"
        f"<h2>{title} {escape(invoice.number)}</h2>"
        f"<p>Issued {invoice.issued_at:%Y-%m-%d %H:%M} UTC · status {escape(invoice.status)}</p>"
        f"<p><strong>{escape(str(bill.get('name', '')))}</strong>"
        f"{'<br>VAT ' + str(escape(bill['vat_id'])) if bill.get('vat_id') else ''}"
        f"{'<br>' + address if address else ''}</p>"
        "<table><thead><tr><th>Item</th><th>Quantity</th><th>Net</th><th>VAT rate</th>"
        f"<th>VAT</th></tr></thead><tbody>{rows}</tbody><tfoot>"
        f"<tr><th colspan='4'>Total excl. VAT</th><td class='num'>"
        f"{money(invoice.total_excl_vat_minor, invoice.currency)}</td></tr>"
        f"<tr><th colspan='4'>VAT</th><td class='num'>{money(invoice.vat_minor, invoice.currency)}"
        f"</td></tr><tr><th colspan='4'>Total</th><td class='num'><strong>"
        f"{money(invoice.total_minor, invoice.currency)}</strong></td></tr></tfoot></table>"
        "</article>"
    )
