"""Only the enabled providers' webhooks are accepted."""

import json
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from outside.payment_sandbox.signing import sign

pytestmark = pytest.mark.django_db


def sandbox_event() -> bytes:
    return json.dumps(
        {
            "id": "evt_forged",
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {"payment_id": "pi_123", "amount": "50.00", "currency": "EUR", "metadata": {}},
        }
    ).encode()


def post(body: bytes, secret: str) -> int:
    response = APIClient().post(
        "/webhooks/payments/sandbox/",
        data=body,
        content_type="application/json",
        headers={"Sandbox-Signature": sign(body, secret)},
    )
    return response.status_code


def test_a_stripe_shop_refuses_events_signed_with_the_sandbox_secret(settings: Any) -> None:
    settings.PAYMENT_WEBHOOK_PROVIDERS = ["stripe"]
    assert post(sandbox_event(), settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET) == 404


def test_the_active_provider_is_accepted(settings: Any) -> None:
    settings.PAYMENT_WEBHOOK_PROVIDERS = ["sandbox"]
    assert post(sandbox_event(), settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET) == 200


def test_an_id_longer_than_any_provider_uses_is_a_malformed_event(settings: Any) -> None:
    body = sandbox_event().replace(b"evt_forged", b"evt_" + b"x" * 200)
    assert post(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET) == 400
