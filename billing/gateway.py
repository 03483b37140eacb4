"""Payment gateway port with an offline provider (default) and Stripe (when keys are set).

Every call carries a deterministic idempotency key (e.g. ``capture:trip:42``) so a retry after a
crash asks the provider for the same operation again instead of moving money twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from mobility.config import Settings
from mobility.errors import N_, PaymentFailed


@dataclass(frozen=True)
class GatewayResult:
    """What the provider says about an operation."""

    ref: str
    status: str  # requires_capture, succeeded, cancelled, failed, pending
    amount_minor: int


@dataclass(frozen=True)
class SetupResult:
    """A card setup started at the provider (client secret goes to the browser)."""

    ref: str
    client_secret: str | None


@dataclass(frozen=True)
class ProviderInvoiceLine:
    """One line of an invoice sent through the provider (amount including VAT)."""

    position: int
    description: str
    amount_minor: int


@dataclass(frozen=True)
class ProviderInvoice:
    """An invoice as the provider holds it."""

    ref: str
    status: str  # draft, open, paid, void, uncollectible
    hosted_url: str | None


class PaymentGateway(Protocol):
    """The money-moving operations billing needs."""

    name: str

    def ensure_customer(self, *, existing: str | None, email: str, name: str, key: str) -> str:
        """Return the provider's customer id, creating it once."""
        ...

    def delete_customer(self, *, customer: str) -> None:
        """Delete a customer and its saved cards; one the provider does not know counts as done."""
        ...

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        """Start saving a card for later off-session payments."""
        ...

    def card_saved(self, *, setup_ref: str, customer: str) -> str | None:
        """The payment method a finished card setup saved (made the default), else None."""
        ...

    def issue_invoice(
        self,
        *,
        customer: str,
        number: str,
        currency: str,
        lines: list[ProviderInvoiceLine],
        days_until_due: int,
    ) -> ProviderInvoice | None:
        """Send our invoice `number` through the provider (once); None when it has no invoices."""
        ...

    def authorize(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        """Hold an amount without taking it (pre-authorisation) on the saved card."""
        ...

    def capture(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        """Take (part of) a held amount."""
        ...

    def release(self, *, ref: str, key: str) -> GatewayResult:
        """Cancel a hold."""
        ...

    def charge(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        """Take an amount at once."""
        ...

    def refund(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        """Give (part of) a taken amount back."""
        ...


def _ref(prefix: str, key: str) -> str:
    return f"{prefix}_{hashlib.sha256(key.encode()).hexdigest()[:24]}"


class OfflineGateway:
    """Records payments without calling anyone (cash desk, invoices paid by transfer, demos)."""

    name = "offline"

    def ensure_customer(self, *, existing: str | None, email: str, name: str, key: str) -> str:
        return existing or _ref("offcus", key)

    def delete_customer(self, *, customer: str) -> None:
        return None  # offline customers are only our own references: nobody else holds data

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        return SetupResult(ref=_ref("offseti", key), client_secret=None)

    def card_saved(self, *, setup_ref: str, customer: str) -> str | None:
        return None

    def issue_invoice(
        self,
        *,
        customer: str,
        number: str,
        currency: str,
        lines: list[ProviderInvoiceLine],
        days_until_due: int,
    ) -> ProviderInvoice | None:
        # Offline, companies pay our invoice by bank transfer; an operator records it as paid.
        return None

    def authorize(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        return GatewayResult(_ref("offpi", key), "requires_capture", amount_minor)

    def capture(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        return GatewayResult(ref, "succeeded", amount_minor)

    def release(self, *, ref: str, key: str) -> GatewayResult:
        return GatewayResult(ref, "cancelled", 0)

    def charge(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        return GatewayResult(_ref("offch", key), "succeeded", amount_minor)

    def refund(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        return GatewayResult(_ref("offre", key), "succeeded", amount_minor)


def _metadata(obj: Any) -> dict[str, Any]:
    meta = obj.to_dict().get("metadata")
    return meta if isinstance(meta, dict) else {}


class StripeGateway:
    """The official stripe library behind the port (a StripeClient per gateway, no globals)."""

    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        import stripe

        self._stripe = stripe
        # In test mode a customer without a saved card pays with Stripe's test card.
        self.test_mode = api_key.startswith(("sk_test_", "rk_test_"))
        base = {"api": api_base} if api_base else None
        self.client = stripe.StripeClient(api_key, base_addresses=base or {}, max_network_retries=2)  # type: ignore[arg-type]

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except self._stripe.CardError as exc:
            raise PaymentFailed(f"Card declined: {exc.user_message or exc}") from exc
        except self._stripe.StripeError as exc:
            raise PaymentFailed(f"Payment provider error: {exc.user_message or exc}") from exc

    def ensure_customer(self, *, existing: str | None, email: str, name: str, key: str) -> str:
        if existing:
            return existing
        cus = self._call(
            self.client.v1.customers.create,
            params={"email": email, "name": name},
            options={"idempotency_key": key},
        )
        return str(cus.id)

    def delete_customer(self, *, customer: str) -> None:
        # A DELETE takes no idempotency key at Stripe (it is idempotent by nature): a repeat after
        # a crash, or a customer removed by hand on the dashboard, gets 404 "No such customer".
        try:
            self.client.v1.customers.delete(customer)
        except self._stripe.InvalidRequestError as exc:
            if exc.http_status == 404:
                return
            raise PaymentFailed(f"The provider refused to delete {customer}: {exc}") from exc
        except self._stripe.StripeError as exc:
            raise PaymentFailed(f"Payment provider error: {exc.user_message or exc}") from exc

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        si = self._call(
            self.client.v1.setup_intents.create,
            params={"customer": customer, "usage": "off_session", "payment_method_types": ["card"]},
            options={"idempotency_key": key},
        )
        return SetupResult(ref=str(si.id), client_secret=si.client_secret)

    def card_saved(self, *, setup_ref: str, customer: str) -> str | None:
        # Ask Stripe rather than trusting the browser: only a succeeded setup of this customer.
        si = self._call(self.client.v1.setup_intents.retrieve, setup_ref)
        if si.status != "succeeded" or si.customer != customer or not si.payment_method:
            return None
        pm = str(si.payment_method)
        self._call(
            self.client.v1.customers.update,
            customer,
            params={"invoice_settings": {"default_payment_method": pm}},
        )
        return pm

    def _find_invoice(self, customer: str, number: str) -> Any:
        invoices = self._call(
            self.client.v1.invoices.list, params={"customer": customer, "limit": 100}
        )
        for inv in invoices.auto_paging_iter():
            if _metadata(inv).get("fleet_invoice") == number:
                return inv
        return None

    def issue_invoice(
        self,
        *,
        customer: str,
        number: str,
        currency: str,
        lines: list[ProviderInvoiceLine],
        days_until_due: int,
    ) -> ProviderInvoice | None:
        # Resumable after a crash at any step: an invoice already made for `number` is reused,
        # and items already pending for it are not added again (idempotency keys alone expire
        # after 24 h, and a retry may come later).
        inv = self._find_invoice(customer, number)
        if inv is None:
            items = self._call(
                self.client.v1.invoice_items.list, params={"customer": customer, "limit": 100}
            )
            present = {
                _metadata(ii).get("position")
                for ii in items.auto_paging_iter()
                if _metadata(ii).get("fleet_invoice") == number and not ii.invoice
            }
            for line in lines:
                if str(line.position) in present:
                    continue
                self._call(
                    self.client.v1.invoice_items.create,
                    params={
                        "customer": customer,
                        "amount": line.amount_minor,
                        "currency": currency.lower(),
                        "description": line.description[:500],
                        "metadata": {"fleet_invoice": number, "position": str(line.position)},
                    },
                    options={"idempotency_key": f"fleet:{number}:item:{line.position}"},
                )
            inv = self._call(
                self.client.v1.invoices.create,
                params={
                    "customer": customer,
                    "collection_method": "send_invoice",
                    "days_until_due": days_until_due,
                    "pending_invoice_items_behavior": "include",
                    "auto_advance": True,
                    "description": f"Fleet invoice {number}",
                    "metadata": {"fleet_invoice": number},
                },
                options={"idempotency_key": f"fleet:{number}:invoice"},
            )
        if inv.status == "draft":
            inv = self._call(
                self.client.v1.invoices.finalize_invoice,
                inv.id,
                options={"idempotency_key": f"fleet:{number}:finalize"},
            )
        data = inv.to_dict()
        return ProviderInvoice(str(inv.id), str(inv.status), data.get("hosted_invoice_url"))

    @staticmethod
    def _result(pi: Any) -> GatewayResult:
        data = pi.to_dict()
        amount = data.get("amount_received") or data.get("amount") or 0
        return GatewayResult(str(pi.id), str(pi.status), int(amount))

    def _intent(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        manual: bool,
        payment_method: str | None,
    ) -> GatewayResult:
        params: dict[str, Any] = {
            "amount": amount_minor,
            "currency": currency.lower(),
            "capture_method": "manual" if manual else "automatic",
            "payment_method_types": ["card"],
            "metadata": meta,
            "confirm": True,
        }
        if customer:
            params["customer"] = customer
            params["off_session"] = True
        if payment_method is None and not self.test_mode:
            raise PaymentFailed(N_("No saved payment card: add a card in your profile first."))
        # pm_card_visa is Stripe's test card, accepted in test mode only.
        params["payment_method"] = payment_method or "pm_card_visa"
        pi = self._call(
            self.client.v1.payment_intents.create, params=params, options={"idempotency_key": key}
        )
        return self._result(pi)

    def authorize(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        return self._intent(
            amount_minor=amount_minor,
            currency=currency,
            customer=customer,
            key=key,
            meta=meta,
            manual=True,
            payment_method=payment_method,
        )

    def _settled(self, ref: str, status: str) -> GatewayResult | None:
        # A retry after a crash may find the intent already captured/cancelled: that is success,
        # whether or not the provider replays idempotency keys.
        pi = self._call(self.client.v1.payment_intents.retrieve, ref)
        return self._result(pi) if pi.status == status else None

    def capture(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        try:
            pi = self.client.v1.payment_intents.capture(
                ref, params={"amount_to_capture": amount_minor}, options={"idempotency_key": key}
            )
        except self._stripe.InvalidRequestError:
            done = self._settled(ref, "succeeded")
            if done is None:
                raise PaymentFailed(f"The provider refused to capture {ref}.") from None
            return done
        return self._result(pi)

    def release(self, *, ref: str, key: str) -> GatewayResult:
        try:
            pi = self.client.v1.payment_intents.cancel(ref, options={"idempotency_key": key})
        except self._stripe.InvalidRequestError:
            done = self._settled(ref, "canceled")
            if done is None:
                raise PaymentFailed(f"The provider refused to release {ref}.") from None
            return GatewayResult(done.ref, "cancelled", 0)
        return GatewayResult(str(pi.id), "cancelled", 0)

    def charge(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
        payment_method: str | None = None,
    ) -> GatewayResult:
        return self._intent(
            amount_minor=amount_minor,
            currency=currency,
            customer=customer,
            key=key,
            meta=meta,
            manual=False,
            payment_method=payment_method,
        )

    def refund(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        re = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": ref, "amount": amount_minor},
            options={"idempotency_key": key},
        )
        return GatewayResult(str(re.id), str(re.status), int(re.amount))


def gateway_for(settings: Settings) -> PaymentGateway:
    """Stripe when a secret key is configured, otherwise the offline provider."""
    if settings.stripe_secret_key:
        return StripeGateway(settings.stripe_secret_key, settings.stripe_api_base)
    return OfflineGateway()
