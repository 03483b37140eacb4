"""Monthly consolidated invoices for fleet accounts (safe to run twice)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from billing.gateway import PaymentGateway, ProviderInvoiceLine
from billing.invoices import bill_to_company, next_number
from mobility.clock import utcnow
from mobility.db import Database
from mobility.models import Company, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus
from mobility.money import to_major

_CONSOLIDATED = (InvoiceKind.TRIP, InvoiceKind.CHARGING, InvoiceKind.CANCELLATION)


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a calendar month in local time."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def previous_month(now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """(year, month) of the month before `now` in local time."""
    local = now.astimezone(tz)
    return (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)


def consolidate(s: Session, company: Company, start: datetime, end: datetime) -> Invoice | None:
    """One invoice for a company's month: a line per source invoice, with member and cost centre."""
    existing = s.scalar(
        select(Invoice).where(
            Invoice.kind == InvoiceKind.FLEET_MONTHLY,
            Invoice.company_id == company.id,
            Invoice.period_start == start,
        )
    )
    if existing is not None:
        return existing
    sources = s.scalars(
        select(Invoice)
        .where(
            Invoice.company_id == company.id,
            Invoice.kind.in_(_CONSOLIDATED),
            Invoice.issued_at >= start,
            Invoice.issued_at < end,
        )
        .order_by(Invoice.issued_at, Invoice.id)
        .options(selectinload(Invoice.lines))
    ).all()
    if not sources:
        return None
    monthly = Invoice(
        number=next_number(s, f"FL-{start.year}"),
        kind=InvoiceKind.FLEET_MONTHLY,
        company_id=company.id,
        period_start=start,
        period_end=end,
        currency=company.currency,
        total_excl_vat_minor=sum(i.total_excl_vat_minor for i in sources),
        vat_minor=sum(i.vat_minor for i in sources),
        total_minor=sum(i.total_minor for i in sources),
        bill_to=bill_to_company(company),
        status=InvoiceStatus.OPEN,
    )
    s.add(monthly)
    s.flush()
    for pos, src in enumerate(sources, start=1):
        first = src.lines[0] if src.lines else None
        s.add(
            InvoiceLine(
                invoice_id=monthly.id,
                position=pos,
                description=f"{src.kind} {src.number} ({src.issued_at:%Y-%m-%d})",
                component=str(src.kind).upper(),
                quantity=1,
                unit="invoice",
                unit_price_excl_vat=to_major(src.total_excl_vat_minor, src.currency),
                amount_excl_vat_minor=src.total_excl_vat_minor,
                vat_percent=first.vat_percent if first else 0,
                vat_minor=src.vat_minor,
                member_user_id=src.user_id,
                cost_centre_id=first.cost_centre_id if first else None,
                source_invoice_id=src.id,
            )
        )
        src.status = InvoiceStatus.CONSOLIDATED
    s.flush()
    return monthly


def provider_lines(invoice: Invoice) -> list[ProviderInvoiceLine]:
    """Our monthly invoice's lines as the provider's invoice items (amounts including VAT)."""
    return [
        ProviderInvoiceLine(
            position=line.position,
            description=f"{line.description}, VAT {line.vat_percent}% included",
            amount_minor=line.amount_excl_vat_minor + line.vat_minor,
        )
        for line in sorted(invoice.lines, key=lambda ln: ln.position)
    ]


def send_open_invoices(db: Database, gateway: PaymentGateway, days_until_due: int = 30) -> int:
    """Send monthly invoices not yet at the provider (Stripe Invoices); safe to repeat.

    Our numbered invoice stays the legal document; the provider collects the money and its
    webhooks mark ours paid. A crash between the provider call and our commit is healed by the
    next run: the provider's invoice for that number is found and linked, not made twice.
    """
    with db.sessions() as s:
        pending = list(
            s.scalars(
                select(Invoice.id).where(
                    Invoice.kind == InvoiceKind.FLEET_MONTHLY,
                    Invoice.stripe_invoice_id.is_(None),
                    Invoice.status == InvoiceStatus.OPEN,
                    Invoice.total_minor > 0,
                )
            )
        )
    sent = 0
    for invoice_id in pending:
        remote = _send_one(db, gateway, invoice_id, days_until_due)
        if remote is False:
            return sent  # the provider keeps no invoices (offline): nothing to send
        sent += bool(remote)
    return sent


def _send_one(db: Database, gateway: PaymentGateway, invoice_id: int, days: int) -> bool | None:
    """Hand one invoice to the provider: read, call (no transaction open), then record.

    None: nothing to do (already sent meanwhile); False: the provider keeps no invoices.
    """
    with db.sessions() as s:
        invoice = s.get(Invoice, invoice_id, options=[selectinload(Invoice.lines)])
        if invoice is None or invoice.stripe_invoice_id or invoice.company_id is None:
            return None
        company = s.get(Company, invoice.company_id)
        assert company is not None
        number, currency, lines = invoice.number, invoice.currency, provider_lines(invoice)
        existing, email, name, company_id = (
            company.stripe_customer_id,
            company.contact_email,
            company.name,
            company.id,
        )
    customer = gateway.ensure_customer(
        existing=existing, email=email, name=name, key=f"customer:company:{company_id}"
    )
    remote = gateway.issue_invoice(
        customer=customer, number=number, currency=currency, lines=lines, days_until_due=days
    )
    if remote is None:
        return False
    with db.transaction() as s:
        company_row = s.get(Company, company_id)
        if company_row is not None and company_row.stripe_customer_id is None:
            company_row.stripe_customer_id = customer
        invoice = s.get(Invoice, invoice_id, with_for_update=True)
        if invoice is None:
            return None
        invoice.stripe_invoice_id = remote.ref
        if remote.status == "paid" and invoice.paid_at is None:
            invoice.status, invoice.paid_at = InvoiceStatus.PAID, utcnow()
    return True


def run_monthly(db: Database, year: int, month: int, tz: ZoneInfo) -> list[str]:
    """Consolidate every active company's month, one transaction per company."""
    start, end = month_bounds(year, month, tz)
    with db.sessions() as s:
        company_ids = list(s.scalars(select(Company.id).where(Company.is_active)))
    numbers = []
    for cid in company_ids:
        try:
            with db.transaction() as s:
                company = s.get(Company, cid)
                if company is None:
                    continue
                invoice = consolidate(s, company, start, end)
                if invoice is not None:
                    numbers.append(invoice.number)
        except IntegrityError:
            # Another scheduler run made it first (unique kind/company/period): nothing to do.
            continue
    return numbers
