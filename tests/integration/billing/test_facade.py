"""Billing facade on a real database: holds, settlement, idempotency, fees, credit notes."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from billing.fleet_invoices import run_monthly
from billing.invoices import issue
from billing.pricing import PriceLine
from mobility.clock import utcnow
from mobility.errors import Conflict
from mobility.models import Invoice, InvoiceKind, OutboxItem, Payment, PaymentStatus, Tariff
from tests.integration.billing.conftest import make_booking, make_session, make_trip


def test_quote_is_itemised_with_vat(db, billing, demo):
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        # e-bike: 1.00 unlock + 30 min x 0.15 = 5.50 net, 1.10 VAT
        assert booking.quote_minor == 660


def _hold(db, billing, demo, vehicle="bike", minutes=30):
    """A private booking whose hold went through (committed, then placed after commit)."""
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo[vehicle], minutes=minutes)
        hold = billing.hold_booking(s, booking)
        assert hold.status == PaymentStatus.PENDING  # nothing moves inside the transaction
    return booking, billing.payment(hold.idempotency_key)


def test_trip_settlement_captures_the_hold_once(db, billing, gateway, demo):
    booking, hold = _hold(db, billing, demo)
    assert hold.status == PaymentStatus.REQUIRES_CAPTURE and hold.amount_minor == 660
    with db.transaction() as s:
        trip = make_trip(s, s.merge(booking), minutes=20)
        invoice = billing.settle_trip(s, trip)
        trip_id, number = trip.id, invoice.number
        # 1.00 + 20 x 0.15 = 4.00 net + 0.80 VAT
        assert invoice.total_minor == 480 and trip.price_minor == 480
        assert invoice.status == "open" and gateway.calls[-1][0] == "authorize"
    with db.transaction() as s:
        again = billing.settle_trip(s, s.get(type(trip), trip_id))
        assert again.number == number
    captures = [c for c in gateway.calls if c[0] == "capture"]
    assert captures == [("capture", f"capture:trip:{trip_id}", 480)]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 1
        assert s.scalar(select(Invoice)).status == "paid"
        assert s.get(Payment, hold.id).status == PaymentStatus.SUCCEEDED


def test_crash_between_capture_and_recording_is_retried_without_double_capture(
    db, core, billing, gateway, demo
):
    booking, _ = _hold(db, billing, demo)
    gateway.crash_after_capture = True
    with db.transaction() as s:
        trip = make_trip(s, s.merge(booking), minutes=20)
        billing.settle_trip(s, trip)
    with db.sessions() as s:  # the invoice stands; its payment waits to be retried
        invoice = s.scalar(select(Invoice))
        assert invoice.status == "open"
        capture = s.scalar(select(Payment).where(Payment.kind == "capture"))
        assert capture.status == PaymentStatus.PENDING
        item = s.scalar(select(OutboxItem).where(OutboxItem.key == "payment:capture:trip:1"))
        assert item.status == "pending" and "process died" in item.last_error
    with db.transaction() as s:  # the retry is due (time passes)
        s.execute(update(OutboxItem).values(next_attempt_at=utcnow()))
    assert core.outbox.run_due() == 1
    captures = [c for c in gateway.calls if c[0] == "capture"]
    # The provider saw the same idempotency key twice: it performs the capture once.
    assert len(captures) == 2 and len({key for _, key, _ in captures}) == 1
    with db.sessions() as s:
        pays = s.scalars(select(Payment).where(Payment.kind == "capture")).all()
        assert [(p.status, p.amount_minor) for p in pays] == [(PaymentStatus.SUCCEEDED, 480)]
        assert s.scalar(select(Invoice)).status == "paid"
    assert core.outbox.run_due() == 0


def test_trip_longer_than_quote_captures_hold_and_charges_the_rest(db, billing, gateway, demo):
    booking, _ = _hold(db, billing, demo, minutes=10)
    with db.transaction() as s:
        invoice = billing.settle_trip(s, make_trip(s, s.merge(booking), minutes=40))
        assert invoice.total_minor == 840
    kinds = [(k, amount) for k, _, amount in gateway.calls if k in ("capture", "charge")]
    assert kinds == [("capture", 300), ("charge", 540)]


def test_late_cancellation_fee_is_invoiced_and_free_cancel_releases(db, billing, gateway, demo):
    free, _ = _hold(db, billing, demo)
    late, _ = _hold(db, billing, demo, vehicle="car")
    with db.transaction() as s:
        assert billing.cancel_booking(s, s.merge(free), 0) is None
        fee = billing.cancel_booking(s, s.merge(late), 500)
        assert fee is not None and fee.total_minor == 500 and fee.kind == "cancellation"
        # The fee's VAT is the tariff's rate (20% in the demo): 4.17 + 0.83.
        assert (fee.total_excl_vat_minor, fee.vat_minor) == (417, 83)
        assert billing.cancel_booking(s, s.merge(late), 500).id == fee.id
    assert [k for k, *_ in gateway.calls] == ["authorize", "authorize", "release", "capture"]


def test_company_trip_is_invoiced_to_the_company_without_card_payment(db, billing, gateway, demo):
    with db.transaction() as s:
        booking = make_booking(
            s, billing, demo["driver"], demo["car"], minutes=60, company_id=demo["company"]
        )
        assert billing.hold_booking(s, booking) is None
        invoice = billing.settle_trip(s, make_trip(s, booking, minutes=60, km="12"))
        assert invoice.company_id == demo["company"] and invoice.status == "open"
        assert invoice.bill_to["vat_id"] == "FR40303265045"
    assert gateway.calls == []


def test_charging_session_billed_once_and_numbers_are_gapless(db, billing, demo):
    with db.transaction() as s:
        a = make_session(s, demo["charger"], user_id=demo["citizen"], wh=20000)
        b = make_session(s, demo["charger"], company_id=demo["company"], wh=5000)
        inv_a = billing.settle_charging(s, a)
        inv_a2 = billing.settle_charging(s, a)
        inv_b = billing.settle_charging(s, b)
        assert inv_a.id == inv_a2.id and a.billed
        assert inv_a.total_minor == 840  # 20 kWh x 0.35 = 7.00 + 20% VAT
        assert inv_b.company_id == demo["company"]
        n_a, n_b = (int(i.number.rsplit("-", 1)[1]) for i in (inv_a, inv_b))
        assert n_b == n_a + 1


def test_refund_issues_credit_note_and_refuses_over_refund(db, billing, gateway, demo):
    booking, _ = _hold(db, billing, demo)
    with db.transaction() as s:
        invoice = billing.settle_trip(s, make_trip(s, s.merge(booking), minutes=20))
    with db.transaction() as s:
        invoice = s.merge(invoice)
        note = billing.refund(s, invoice, 240, "battery flat")
        assert note.kind == "credit_note" and note.total_minor == -240
        assert note.total_excl_vat_minor + note.vat_minor == -240
        with pytest.raises(Conflict, match="still refundable"):
            billing.refund(s, invoice, 300, "too much")
    assert ("refund", f"refund:{note.number}", 240) in gateway.calls
    with db.sessions() as s:
        assert s.get(Invoice, note.id).status == "paid"


def test_fleet_monthly_invoice_consolidates_and_is_safe_to_run_twice(db, settings, billing, demo):
    from zoneinfo import ZoneInfo

    with db.transaction() as s:
        booking = make_booking(
            s, billing, demo["driver"], demo["car"], minutes=60, company_id=demo["company"]
        )
        trip_inv = billing.settle_trip(s, make_trip(s, booking, minutes=60, km="12"))
        tx_inv = billing.settle_charging(
            s, make_session(s, demo["charger"], company_id=demo["company"])
        )
        month = trip_inv.issued_at.astimezone(ZoneInfo(settings.timezone))
    tz = ZoneInfo(settings.timezone)
    first = run_monthly(db, month.year, month.month, tz)
    second = run_monthly(db, month.year, month.month, tz)
    assert len(first) == 1 and second == first
    with db.sessions() as s:
        monthly = s.scalar(select(Invoice).where(Invoice.kind == "fleet_monthly"))
        assert monthly.total_minor == trip_inv.total_minor + tx_inv.total_minor
        assert {ln.member_user_id for ln in monthly.lines} == {demo["driver"], None}
        assert {ln.source_invoice_id for ln in monthly.lines} == {trip_inv.id, tx_inv.id}


def test_stored_min_price_incl_vat_is_honoured(db, billing, demo):
    # 1 kWh at 0.35 under a minimum of 2.00 excl. VAT alone gives 2.00 + 0.40 = 2.40; the stored
    # incl. VAT minimum of 2.50 lifts the session to at least 2.50 (migration 0012 columns).
    with db.transaction() as s:
        tariff = s.scalar(select(Tariff).where(Tariff.code == "CHARGE-STD"))
        tariff.min_price_excl_vat = Decimal("2.00")
        low = billing.settle_charging(s, make_session(s, demo["charger"], wh=1000))
        assert (low.total_excl_vat_minor, low.total_minor) == (200, 240)
        tariff.min_price_incl_vat = Decimal("2.50")
        tariff.max_price_incl_vat = Decimal("9.00")
        invoice = billing.settle_charging(s, make_session(s, demo["charger"], wh=1000))
        assert invoice.total_minor >= 250 and invoice.total_excl_vat_minor >= 200
        assert invoice.total_minor < 253  # moved a minor unit at a time, not overshooting
    with db.sessions() as s:
        stored = s.scalar(select(Tariff).where(Tariff.code == "CHARGE-STD"))
        bounds = (stored.min_price_incl_vat, stored.max_price_incl_vat)
        assert bounds == (Decimal("2.50"), Decimal("9.00"))


def test_credit_notes_split_per_vat_rate_of_the_original_lines(db, billing, demo):
    # A charging session with energy at 5.5 % and parking at 20 %: 10.00 + 0.55 and 4.00 + 0.80.
    def line(component, net, vat_percent, vat):
        return PriceLine(
            component,
            component,
            Decimal(1),
            "x",
            Decimal(net) / 100,
            net,
            Decimal(vat_percent),
            vat,
        )

    with db.transaction() as s:
        invoice = issue(
            s,
            kind=InvoiceKind.CHARGING,
            currency="EUR",
            lines=[line("ENERGY", 1000, "5.5", 55), line("PARKING_TIME", 400, "20", 80)],
            bill_to={"name": "c"},
            user_id=demo["citizen"],
        )
        assert invoice.total_minor == 1535
        first = billing.refund(s, invoice, 1000, "broken connector")
        rest = billing.refund(s, invoice, 535, "goodwill")
    with db.sessions() as s:
        notes = [s.get(Invoice, first.id), s.get(Invoice, rest.id)]
        per_rate = [
            sorted((ln.vat_percent, ln.amount_excl_vat_minor, ln.vat_minor) for ln in n.lines)
            for n in notes
        ]
    # 1000 over 1055 : 480 gross -> 687.3 / 312.7 -> 687 / 313; VAT in each rate's proportion:
    # 687 x 55/1055 = 35.8 -> 36, 313 x 80/480 = 52.2 -> 52.
    assert per_rate[0] == [(Decimal("5.50"), -651, -36), (Decimal("20.00"), -261, -52)]
    assert notes[0].total_minor == -1000 and notes[0].vat_minor == -88
    # the rest gives back exactly what each rate still held
    assert per_rate[1] == [(Decimal("5.50"), -349, -19), (Decimal("20.00"), -139, -28)]
    assert [n.vat_minor for n in notes] == [-88, -47] and sum(n.total_minor for n in notes) == -1535
