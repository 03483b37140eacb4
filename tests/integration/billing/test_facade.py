"""Billing facade on a real database: holds, settlement, idempotency, fees, credit notes."""

import pytest
from sqlalchemy import func, select

from billing.fleet_invoices import run_monthly
from mobility.errors import Conflict
from mobility.models import Invoice, Payment, PaymentStatus
from tests.integration.billing.conftest import make_booking, make_session, make_trip


def test_quote_is_itemised_with_vat(db, billing, demo):
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        # e-bike: 1.00 unlock + 30 min x 0.15 = 5.50 net, 1.10 VAT
        assert booking.quote_minor == 660


def test_trip_settlement_captures_the_hold_once(db, billing, gateway, demo):
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        hold = billing.hold_booking(s, booking)
        assert hold.status == PaymentStatus.REQUIRES_CAPTURE and hold.amount_minor == 660
        trip = make_trip(s, booking, minutes=20)
        invoice = billing.settle_trip(s, trip)
        trip_id = trip.id
        # 1.00 + 20 x 0.15 = 4.00 net + 0.80 VAT
        assert invoice.total_minor == 480 and invoice.status == "paid"
        assert trip.price_minor == 480
    with db.transaction() as s:
        again = billing.settle_trip(s, s.get(type(trip), trip_id))
        assert again.number == invoice.number
    captures = [c for c in gateway.calls if c[0] == "capture"]
    assert captures == [("capture", f"capture:trip:{trip_id}", 480)]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Invoice)) == 1


def test_crash_between_capture_and_recording_is_retried_without_double_capture(
    db, billing, gateway, demo
):
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        billing.hold_booking(s, booking)
        trip = make_trip(s, booking, minutes=20)
        trip_id = trip.id
    gateway.crash_after_capture = True
    with pytest.raises(ConnectionError), db.transaction() as s:
        billing.settle_trip(s, s.get(type(trip), trip_id))
    with db.sessions() as s:  # nothing half-recorded
        assert s.scalar(select(func.count()).select_from(Invoice)) == 0
    with db.transaction() as s:
        invoice = billing.settle_trip(s, s.get(type(trip), trip_id))
        assert invoice.status == "paid"
    captures = [c for c in gateway.calls if c[0] == "capture"]
    # The provider saw the same idempotency key twice: it performs the capture once.
    assert len({key for _, key, _ in captures}) == 1
    with db.sessions() as s:
        pays = s.scalars(select(Payment).where(Payment.kind == "capture")).all()
        assert [(p.status, p.amount_minor) for p in pays] == [(PaymentStatus.SUCCEEDED, 480)]


def test_trip_longer_than_quote_captures_hold_and_charges_the_rest(db, billing, gateway, demo):
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=10)
        billing.hold_booking(s, booking)
        invoice = billing.settle_trip(s, make_trip(s, booking, minutes=40))
        assert invoice.total_minor == 840
    kinds = [(k, amount) for k, _, amount in gateway.calls if k in ("capture", "charge")]
    assert kinds == [("capture", 300), ("charge", 540)]


def test_late_cancellation_fee_is_invoiced_and_free_cancel_releases(db, billing, gateway, demo):
    with db.transaction() as s:
        free = make_booking(s, billing, demo["citizen"], demo["bike"])
        billing.hold_booking(s, free)
        assert billing.cancel_booking(s, free, 0) is None
        late = make_booking(s, billing, demo["citizen"], demo["car"])
        billing.hold_booking(s, late)
        fee = billing.cancel_booking(s, late, 500)
        assert fee is not None and fee.total_minor == 500 and fee.kind == "cancellation"
        assert billing.cancel_booking(s, late, 500).id == fee.id
    assert [k for k, *_ in gateway.calls] == ["authorize", "release", "authorize", "capture"]


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
    with db.transaction() as s:
        booking = make_booking(s, billing, demo["citizen"], demo["bike"], minutes=30)
        billing.hold_booking(s, booking)
        invoice = billing.settle_trip(s, make_trip(s, booking, minutes=20))
        note = billing.refund(s, invoice, 240, "battery flat")
        assert note.kind == "credit_note" and note.total_minor == -240
        assert note.total_excl_vat_minor + note.vat_minor == -240
        with pytest.raises(Conflict, match="still refundable"):
            billing.refund(s, invoice, 300, "too much")
    assert ("refund", f"refund:{note.number}", 240) in gateway.calls


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
