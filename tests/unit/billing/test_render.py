"""The console's printable invoice shows quantities and VAT rates as plain numbers."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from billing.render import invoice_html
from mobility.models import Invoice, InvoiceLine


def test_invoice_html_never_shows_an_exponent():
    line = InvoiceLine(
        position=1,
        description="Time",
        component="TIME",
        quantity=Decimal("10.0000"),  # as the Numeric(14, 4) column gives it back
        unit="h",
        unit_price_excl_vat=Decimal("9"),
        amount_excl_vat_minor=9000,
        vat_percent=Decimal("20.00"),
        vat_minor=1800,
    )
    invoice = Invoice(
        number="INV-2026-000001",
        kind="trip",
        currency="EUR",
        total_excl_vat_minor=9000,
        vat_minor=1800,
        total_minor=10800,
        status="paid",
        bill_to={"name": "Camille Martin"},
        issued_at=datetime(2026, 11, 27, 16, 21, tzinfo=UTC),
        lines=[line],
    )
    html = str(invoice_html(invoice))
    assert "<td>10 h</td>" in html and "<td class='num'>20%</td>" in html
    assert "E+" not in html
