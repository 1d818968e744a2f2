"""Stripe, through the official `stripe` library: PaymentIntents, refunds and
`Stripe-Signature` verification. Selected with `PAYMENT_PROVIDER=stripe`."""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import stripe

from adapters.payments.failures import provider_failure
from adapters.payments.signatures import InvalidSignature
from application.booking.ports import StartedPayment
from domain.booking.payments import PaymentEvent, PaymentEventKind
from domain.shared.money import MINOR_UNITS, Money

# Stripe's event types -> Portside's; anything else is acknowledged and ignored.
EVENT_KINDS = {
    "payment_intent.succeeded": PaymentEventKind.PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": PaymentEventKind.PAYMENT_FAILED,
    "refund.created": PaymentEventKind.REFUND_SUCCEEDED,
}


def to_minor_units(amount: Money) -> int:
    """Stripe counts in the currency's smallest unit: 25.00 EUR is 2500, 8500 JPY is 8500."""
    return int(amount.amount.scaleb(MINOR_UNITS[amount.currency]))


def from_minor_units(value: int, currency: str) -> Money:
    code = currency.upper()
    return Money(Decimal(value).scaleb(-MINOR_UNITS[code]), code)


class StripeGateway:
    name = "stripe"

    def __init__(self, client: stripe.StripeClient, pay_url: str) -> None:
        self._client = client
        self._pay_url = pay_url  # the shop's own page that runs Stripe's Payment Element

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        try:
            intent = self._client.v1.payment_intents.create(
                params={
                    "amount": to_minor_units(amount),
                    "currency": amount.currency.lower(),
                    "description": f"Portside booking {reference}",
                    "metadata": {"booking_id": str(booking_id), "reference": reference},
                    "automatic_payment_methods": {"enabled": True},
                },
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise provider_failure("Stripe", error.http_status, str(error)) from error
        return StartedPayment(
            self.name, intent.id, self._pay_url.format(reference=reference, payment_id=intent.id)
        )

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        try:
            refund = self._client.v1.refunds.create(
                params={"payment_intent": payment_id, "amount": to_minor_units(amount)},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise provider_failure("Stripe", error.http_status, str(error)) from error
        return str(refund.id)


class StripeWebhookParser:
    """`stripe.Webhook.construct_event` verifies the `Stripe-Signature` header (HMAC-SHA256,
    constant-time, 5-minute tolerance) before anything is read."""

    def __init__(self, secret: str, tolerance: int = 300) -> None:
        self._secret = secret
        self._tolerance = tolerance

    def parse(self, body: bytes, headers: dict[str, str]) -> PaymentEvent:
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("Stripe-Signature"), self._secret, tolerance=self._tolerance
            )
        except stripe.SignatureVerificationError as error:
            raise InvalidSignature(str(error)) from error
        # The stripe library's objects are not dicts (no .get): read a plain copy.
        obj = event.data.object.to_dict()
        kind = EVENT_KINDS.get(event.type)
        if kind is PaymentEventKind.REFUND_SUCCEEDED:
            payment_id, refund_id = str(obj["payment_intent"]), str(obj["id"])
        else:
            payment_id, refund_id = str(obj.get("id", "")), None
        metadata = obj.get("metadata") or {}
        booking_id = metadata.get("booking_id")
        amount = None
        if "amount" in obj and "currency" in obj:
            amount = from_minor_units(int(obj["amount"]), str(obj["currency"]))
        return PaymentEvent(
            provider=StripeGateway.name,
            event_id=str(event.id),
            kind=kind,
            payment_id=payment_id,
            amount=amount,
            booking_id=UUID(booking_id) if booking_id else None,
            occurred_at=datetime.fromtimestamp(int(event.created), UTC),
            refund_id=refund_id,
        )


def stripe_gateway(secret_key: str, api_base: str, pay_url: str) -> StripeGateway:
    """A gateway over a StripeClient; `api_base` points the library at a stand-in in tests."""
    options = {"base_addresses": {"api": api_base}} if api_base else {}
    client = stripe.StripeClient(
        secret_key,
        max_network_retries=2,
        # Calls run inside units of work that hold row locks: never wait the library's
        # default 80 s. Connect and read timeouts, as for every outside call.
        http_client=stripe.RequestsClient(timeout=(3.05, 10)),
        **options,  # type: ignore[arg-type]
    )
    return StripeGateway(client, pay_url)
