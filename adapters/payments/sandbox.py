"""The sandbox provider, reached over HTTP like any real provider."""

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import requests

from adapters.payments.failures import provider_failure
from adapters.payments.signatures import verify
from application.booking.ports import StartedPayment
from domain.booking.payments import PaymentEvent, PaymentEventKind
from domain.shared.money import Money

SIGNATURE_HEADER = "Sandbox-Signature"
TIMEOUT = (3.05, 10)  # connect, read


class SandboxGateway:
    name = "sandbox"

    def __init__(self, base_url: str, api_key: str, webhook_url: str, return_url: str) -> None:
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._webhook_url = webhook_url
        self._return_url = return_url

    def _post(self, path: str, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        try:
            response = requests.post(
                f"{self._base_url}{path}",
                json=payload,
                headers={
                    "Authorization": f"Bearer {self._api_key}",
                    "Idempotency-Key": idempotency_key,
                },
                timeout=TIMEOUT,
            )
            response.raise_for_status()
        except requests.RequestException as error:
            status = error.response.status_code if error.response is not None else None
            raise provider_failure("The sandbox provider", status, str(error)) from error
        data: dict[str, Any] = response.json()
        return data

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        data = self._post(
            "/api/payments/",
            {
                "amount": str(amount.amount),
                "currency": amount.currency,
                "description": f"Portside booking {reference}",
                "metadata": {"booking_id": str(booking_id), "reference": reference},
                "webhook_url": self._webhook_url,
                "return_url": self._return_url.format(reference=reference),
            },
            idempotency_key,
        )
        return StartedPayment(self.name, data["id"], data["pay_url"])

    def refund(self, payment_id: str, amount: Money, idempotency_key: str) -> str:
        data = self._post(
            "/api/refunds/",
            {"payment_id": payment_id, "amount": str(amount.amount)},
            idempotency_key,
        )
        return str(data["id"])


class SandboxWebhookParser:
    """Verify the sandbox's signature, then translate its event into a PaymentEvent."""

    def __init__(self, secret: str, tolerance: int = 300) -> None:
        self._secret = secret
        self._tolerance = tolerance

    def parse(self, body: bytes, headers: dict[str, str]) -> PaymentEvent:
        verify(body, headers.get(SIGNATURE_HEADER), self._secret, self._tolerance)
        event = json.loads(body)
        data = event["data"]
        kinds = {kind.value: kind for kind in PaymentEventKind}
        amount_field = "refund_amount" if event["type"] == "refund.succeeded" else "amount"
        booking_id = data.get("metadata", {}).get("booking_id")
        return PaymentEvent(
            provider="sandbox",
            event_id=str(event["id"]),
            kind=kinds.get(event["type"]),
            payment_id=str(data["payment_id"]),
            amount=Money(data[amount_field], data["currency"]) if amount_field in data else None,
            booking_id=UUID(booking_id) if booking_id else None,
            occurred_at=datetime.fromtimestamp(int(event["created"]), UTC),
            refund_id=data.get("refund_id"),
        )
