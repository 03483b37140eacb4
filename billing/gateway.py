"""Payment gateway port with an offline provider (default) and Stripe (when keys are set).

Every call carries a deterministic idempotency key (e.g. ``capture:trip:42``) so a retry after a
crash asks the provider for the same operation again instead of moving money twice.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from mobility.config import Settings
from mobility.errors import PaymentFailed


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


class PaymentGateway(Protocol):
    """The money-moving operations billing needs."""

    name: str

    def ensure_customer(self, *, existing: str | None, email: str, name: str, key: str) -> str:
        """Return the provider's customer id, creating it once."""
        ...

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        """Start saving a card for later off-session payments."""
        ...

    def authorize(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
    ) -> GatewayResult:
        """Hold an amount without taking it (pre-authorisation)."""
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

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        return SetupResult(ref=_ref("offseti", key), client_secret=None)

    def authorize(
        self,
        *,
        amount_minor: int,
        currency: str,
        customer: str | None,
        key: str,
        meta: dict[str, str],
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
    ) -> GatewayResult:
        return GatewayResult(_ref("offch", key), "succeeded", amount_minor)

    def refund(self, *, ref: str, amount_minor: int, key: str) -> GatewayResult:
        return GatewayResult(_ref("offre", key), "succeeded", amount_minor)


class StripeGateway:
    """The official stripe library behind the port (a StripeClient per gateway, no globals)."""

    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        import stripe

        self._stripe = stripe
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

    def setup_card(self, *, customer: str, key: str) -> SetupResult:
        si = self._call(
            self.client.v1.setup_intents.create,
            params={"customer": customer, "usage": "off_session", "payment_method_types": ["card"]},
            options={"idempotency_key": key},
        )
        return SetupResult(ref=str(si.id), client_secret=si.client_secret)

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
        params["payment_method"] = meta.get("payment_method", "pm_card_visa")
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
    ) -> GatewayResult:
        return self._intent(
            amount_minor=amount_minor,
            currency=currency,
            customer=customer,
            key=key,
            meta=meta,
            manual=True,
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
    ) -> GatewayResult:
        return self._intent(
            amount_minor=amount_minor,
            currency=currency,
            customer=customer,
            key=key,
            meta=meta,
            manual=False,
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
