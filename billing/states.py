"""Payment and invoice states only move forward. Pure.

Provider events arrive late, twice and out of order; a refunded payment must never become
succeeded again, nor a captured one go back to requires_capture, nor a paid invoice to open.
"""

from __future__ import annotations

from mobility.models import InvoiceStatus, PaymentStatus

P = PaymentStatus
_PAYMENT_NEXT: dict[str, frozenset[str]] = {
    P.PENDING: frozenset({P.REQUIRES_CAPTURE, P.SUCCEEDED, P.FAILED, P.CANCELLED}),
    # A declined attempt may be followed by a successful one on the same intent.
    P.FAILED: frozenset({P.REQUIRES_CAPTURE, P.SUCCEEDED, P.CANCELLED}),
    P.REQUIRES_CAPTURE: frozenset({P.SUCCEEDED, P.CANCELLED, P.FAILED}),
    P.SUCCEEDED: frozenset({P.REFUNDED, P.DISPUTED}),
    # A dispute is won (money kept) or lost (refunded).
    P.DISPUTED: frozenset({P.SUCCEEDED, P.REFUNDED}),
    P.REFUNDED: frozenset(),
    P.CANCELLED: frozenset(),
}

Inv = InvoiceStatus
_INVOICE_NEXT: dict[str, frozenset[str]] = {
    Inv.OPEN: frozenset(
        {Inv.PAID, Inv.PAYMENT_FAILED, Inv.VOID, Inv.UNCOLLECTIBLE, Inv.CONSOLIDATED}
    ),
    Inv.PAYMENT_FAILED: frozenset({Inv.PAID, Inv.VOID, Inv.UNCOLLECTIBLE}),
    Inv.UNCOLLECTIBLE: frozenset({Inv.PAID, Inv.VOID}),
    Inv.PAID: frozenset(),
    Inv.VOID: frozenset(),
    Inv.CONSOLIDATED: frozenset(),
}


def payment_may_become(current: str, new: str) -> bool:
    """Whether a payment in `current` may move to `new` (staying put is no move)."""
    return new in _PAYMENT_NEXT.get(current, frozenset())


def invoice_may_become(current: str, new: str) -> bool:
    """Whether an invoice in `current` may move to `new`."""
    return new in _INVOICE_NEXT.get(current, frozenset())
