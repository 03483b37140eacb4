"""Forgetting a user at the payment provider when their account is erased.

The erasure's transaction records the intent; after commit the outbox asks the provider to
delete the customer (and the cards it saved), and its retry job tries again after an outage.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from billing.gateway import PaymentGateway
from mobility.outbox import Outbox

CUSTOMER_DELETION = "payment-customer.delete"


def deletion_key(customer: str) -> str:
    """The outbox key of a customer's deletion (by the provider's id: nothing ties it to a user)."""
    return f"{CUSTOMER_DELETION}:{customer}"


def forget_customer(s: Session, outbox: Outbox, customer: str | None) -> None:
    """Have the provider delete this customer once `s` commits (nothing to do without one)."""
    if customer:
        outbox.record(s, CUSTOMER_DELETION, deletion_key(customer), {"customer": customer})


class CustomerDeletion:
    """The outbox handler of customer deletions (safe to run again: a gone customer is done)."""

    def __init__(self, gateway: PaymentGateway) -> None:
        self.gateway = gateway

    def __call__(self, payload: dict[str, Any]) -> None:
        """Delete the customer `payload["customer"]` at the provider."""
        self.gateway.delete_customer(customer=str(payload["customer"]))
