"""Run localstripe with the invoice API this project uses and the fake does not know yet.

localstripe (a Stripe-compatible test server) predates `collection_method`, `days_until_due`,
`pending_invoice_items_behavior` and `auto_advance` on invoice creation, one-off invoices (it
only invoices subscriptions) and the `/v1/invoices/{id}/finalize` endpoint. This launcher accepts
those with Stripe's documented meaning, then starts the unchanged server.
Usage: python localstripe_plus.py --port N [--from-scratch]
"""

from __future__ import annotations

import time
from typing import Any

from localstripe import resources

_create_invoice = resources.Invoice._api_create.__func__  # type: ignore[attr-defined]


def _invoice_create(
    cls: Any,
    customer: str | None = None,
    subscription: str | None = None,
    collection_method: str | None = None,
    days_until_due: int | str | None = None,
    auto_advance: Any = None,
    pending_invoice_items_behavior: str | None = None,
    **kwargs: Any,
) -> Any:
    if pending_invoice_items_behavior not in (None, "include"):
        # Only "include" is modelled: the invoice takes the customer's pending items.
        raise resources.UserError(400, "Only pending_invoice_items_behavior=include is supported")
    if subscription is not None:
        invoice = _create_invoice(cls, customer=customer, subscription=subscription, **kwargs)
    else:
        # A one-off invoice of the pending items (upstream only invoices subscriptions).
        invoice = resources.Invoice(customer=customer, **kwargs)
    invoice.collection_method = collection_method or "charge_automatically"
    invoice.days_until_due = int(days_until_due) if days_until_due is not None else None
    if invoice.days_until_due is not None:
        invoice.due_date = int(time.time()) + 86400 * invoice.days_until_due
    invoice.hosted_invoice_url = f"https://invoice.stripe.test/{invoice.id}"
    return invoice


def _finalize(id: str, **_: Any) -> Any:
    invoice = resources.Invoice._api_retrieve(id)
    if invoice.status != "draft":
        raise resources.UserError(400, "This invoice is already finalized")
    invoice._finalize()
    return invoice


resources.Invoice._api_create = classmethod(_invoice_create)  # type: ignore[method-assign,assignment]
resources.extra_apis.append(("POST", "/v1/invoices/{id}/finalize", _finalize))

if __name__ == "__main__":
    from localstripe.server import start  # registers the routes, extra ones included

    start()
