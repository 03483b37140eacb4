"""Payment and invoice states only move forward, whatever order provider events come in."""

from hypothesis import given
from hypothesis import strategies as st

from billing.states import invoice_may_become, payment_may_become
from mobility.models import InvoiceStatus, PaymentStatus

PAYMENT = st.sampled_from(list(PaymentStatus))


def _apply(start: str, events: list[str]) -> list[str]:
    seen = [start]
    for new in events:
        if payment_may_become(seen[-1], new):
            seen.append(new)
    return seen


@given(st.lists(PAYMENT, max_size=20))
def test_refunded_and_cancelled_are_final(events):
    path = _apply(PaymentStatus.PENDING, events)
    for end in (PaymentStatus.REFUNDED, PaymentStatus.CANCELLED):
        if end in path:
            assert path[path.index(end) :] == [end]


@given(st.lists(PAYMENT, max_size=20))
def test_money_taken_never_returns_to_a_hold_or_to_pending(events):
    path = _apply(PaymentStatus.REQUIRES_CAPTURE, events)
    if PaymentStatus.SUCCEEDED in path:
        after = path[path.index(PaymentStatus.SUCCEEDED) :]
        assert PaymentStatus.REQUIRES_CAPTURE not in after and PaymentStatus.PENDING not in after


def test_named_moves():
    assert payment_may_become(PaymentStatus.REQUIRES_CAPTURE, PaymentStatus.SUCCEEDED)
    assert not payment_may_become(PaymentStatus.REFUNDED, PaymentStatus.SUCCEEDED)
    assert not payment_may_become(PaymentStatus.SUCCEEDED, PaymentStatus.REQUIRES_CAPTURE)
    assert not payment_may_become(PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED)
    assert payment_may_become(PaymentStatus.DISPUTED, PaymentStatus.SUCCEEDED)  # dispute won
    assert invoice_may_become(InvoiceStatus.PAYMENT_FAILED, InvoiceStatus.PAID)
    assert not invoice_may_become(InvoiceStatus.PAID, InvoiceStatus.PAYMENT_FAILED)
    assert not invoice_may_become(InvoiceStatus.VOID, InvoiceStatus.PAID)
