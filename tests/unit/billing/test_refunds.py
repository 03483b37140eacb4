"""Refunds split over the VAT rates of the invoice they credit (billing.refunds)."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billing.refunds import by_rate, largest_remainder, remaining, split_refund

RATES = [D("20.00"), D("10.00"), D("5.50"), D("0.00")]


def test_a_mixed_invoice_is_refunded_at_its_own_rates():
    # 10.00 net at 20 % (2.00 VAT) and 10.00 net at 5.5 % (0.55 VAT): 22.55 gross.
    left = {D("20"): (1000, 200), D("5.5"): (1000, 55)}
    half = split_refund(1100, left)
    # 1100 over 1200 : 1055 gross -> 585.37 / 514.63 -> 585 / 515 (largest remainder); VAT in
    # each rate's own proportion: 585 x 200/1200 = 97.5 -> 98, 515 x 55/1055 = 26.85 -> 27.
    assert half == {D("20"): (487, 98), D("5.5"): (488, 27)}
    assert sum(n + v for n, v in half.values()) == 1100
    assert split_refund(2255, left) == left  # everything: exactly the invoice's figures


def test_old_blended_credit_notes_are_taken_pro_rata():
    invoiced = {D("20"): (1000, 200), D("5.5"): (1000, 55)}
    blended = {D("11.32"): (-1000, -100)}  # a credit note from before the per-rate split
    left = remaining(invoiced, blended)
    assert sum(n + v for n, v in left.values()) == 2255 - 1100
    assert all(n >= 0 and v >= 0 for n, v in left.values())


def test_no_refund_beyond_what_is_left():
    with pytest.raises(ValueError, match="exceed"):
        split_refund(1201, {D("20"): (1000, 200)})


lines = st.lists(
    st.tuples(st.sampled_from(RATES), st.integers(0, 50_000)), min_size=1, max_size=6
).map(lambda ls: [(rate, net, (net * int(rate * 100) + 5000) // 10000) for rate, net in ls])


@settings(max_examples=200, deadline=None)
@given(lines=lines, parts=st.lists(st.integers(1, 10_000), min_size=1, max_size=5))
def test_successive_refunds_never_over_refund_a_rate_and_add_up(lines, parts):
    invoiced = by_rate(lines)
    total = sum(n + v for n, v in invoiced.values())
    credited: dict = {}  # what credit notes hold so far: negative figures per rate

    def refund(amount):
        left = remaining(invoiced, credited)
        split = split_refund(amount, left)
        assert sum(n + v for n, v in split.values()) == amount
        for rate, (n, v) in split.items():
            assert 0 <= n <= left[rate][0] and 0 <= v <= left[rate][1]
            cn, cv = credited.get(rate, (0, 0))
            credited[rate] = (cn - n, cv - v)

    refunded = 0
    for part in parts:
        amount = min(part, total - refunded)
        if amount <= 0:
            break
        refund(amount)
        refunded += amount
    if refunded < total:  # the rest in one go: exactly what was invoiced, rate by rate
        refund(total - refunded)
    for rate, (n, v) in invoiced.items():
        if n + v > 0:
            assert credited[rate] == (-n, -v)


@given(
    amount=st.integers(0, 10_000), weights=st.lists(st.integers(1, 5000), min_size=1, max_size=4)
)
def test_largest_remainder_adds_up_and_stays_within_a_unit(amount, weights):
    w = dict(zip(RATES, weights, strict=False))
    shares = largest_remainder(amount, w)
    assert sum(shares.values()) == amount
    total = sum(w.values())
    for k, share in shares.items():
        assert abs(share * total - amount * w[k]) < total
