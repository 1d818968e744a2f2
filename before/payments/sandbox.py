"""A small client for the sandbox payment provider's HTTP API, and its webhook signature.

No answer, a 429 or a 5xx is `ProviderUnavailable`: a 503 with Retry-After. Any other
4xx is `PaymentRefused`, a 502 that says retrying will not help. Both are raised inside
the caller's transaction, so that nothing changes.
"""

import hashlib
import hmac
import logging
import time

import requests
from django.conf import settings

from before.common.exceptions import PaymentRefused, ServiceUnavailable
from before.common.money import round_amount

logger = logging.getLogger(__name__)

PROVIDER = "sandbox"
SIGNATURE_HEADER = "Sandbox-Signature"
SIGNATURE_TOLERANCE = 300  # seconds either side of now
TIMEOUT = (3.05, 10)  # connect, read


class ProviderUnavailable(ServiceUnavailable):
    pass


class InvalidSignature(Exception):
    pass


def _post(path, payload, idempotency_key):
    try:
        response = requests.post(
            f"{settings.PAYMENTS_SANDBOX_URL.rstrip('/')}{path}",
            json=payload,
            headers={
                "Authorization": f"Bearer {settings.PAYMENTS_SANDBOX_API_KEY}",
                "Idempotency-Key": idempotency_key,
            },
            timeout=TIMEOUT,
        )
        response.raise_for_status()
        return response.json()
    except requests.HTTPError as error:
        if 400 <= error.response.status_code < 500 and error.response.status_code != 429:
            logger.error("the sandbox provider refused: %s", error)
            raise PaymentRefused() from error
        raise ProviderUnavailable(f"The sandbox provider failed: {error}") from error
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(f"The sandbox provider failed: {error}") from error


def create_payment(booking, idempotency_key):
    """Start a payment of the booking's total; `{"id", "pay_url", ...}`."""
    return _post(
        "/api/payments/",
        {
            "amount": str(round_amount(booking.total, booking.currency)),
            "currency": booking.currency,
            "description": f"Portside booking {booking.reference}",
            "metadata": {"booking_id": str(booking.id), "reference": booking.reference},
            "webhook_url": settings.PAYMENTS_WEBHOOK_URL.format(provider=PROVIDER),
            "return_url": settings.PAYMENTS_RETURN_URL.format(reference=booking.reference),
        },
        idempotency_key,
    )


def refund(payment_id, amount, idempotency_key):
    """Refund `amount` of a payment; the provider's refund id."""
    data = _post(
        "/api/refunds/", {"payment_id": payment_id, "amount": str(amount)}, idempotency_key
    )
    return str(data["id"])


def verify_signature(body, header, secret, now=None):
    """Check `t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{body}">` in constant time."""
    if not header:
        raise InvalidSignature("No signature header.")
    try:
        parts = [item.split("=", 1) for item in header.split(",")]
        timestamp = int(next(value for key, value in parts if key == "t"))
        signatures = [value for key, value in parts if key == "v1"]
    except (StopIteration, ValueError) as error:
        raise InvalidSignature("Malformed signature header.") from error
    if abs((time.time() if now is None else now) - timestamp) > SIGNATURE_TOLERANCE:
        raise InvalidSignature("Signature timestamp outside the tolerance.")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    if not any(hmac.compare_digest(expected.hexdigest(), value) for value in signatures):
        raise InvalidSignature("Signature does not match.")
