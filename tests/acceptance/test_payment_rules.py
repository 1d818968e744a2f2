"""Payments that land when they no longer fit their booking, end to end.

The customer cancelled while the pay page was still open, the hold lapsed before the
customer paid, or the provider reports an amount that is not the booking's total.
None of them confirms what it should not, and each is refunded in full at the
provider (docs/payments.md, "The rules"), except a late payment whose seats are still
free: that one books them again. The refund is read back from the sandbox's own API,
as the shop's operator would check it. Plain HTTP only.
"""

import hashlib
import hmac
import json
import os
import secrets
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
import requests

from tests.acceptance.conftest import Api, Server
from tests.acceptance.test_bookings import take_seats
from tests.acceptance.test_payments import (
    SANDBOX_KEY,
    booking,
    checkout,
    eventually,
    hold,
    sandbox,
    seats_available,
    settle,
    slot_ahead,
    wait_for_status,
)

pytestmark = pytest.mark.acceptance

# Signs the provider's webhooks: the development default unless the environment (which
# the server inherits) sets another.
WEBHOOK_SECRET = os.environ.get("PAYMENTS_SANDBOX_WEBHOOK_SECRET", "whsec_sandbox_development")


# ---------------------------------------------------------------- helpers


def provider_payment(api: Api, payment_id: str) -> dict[str, Any]:
    """The payment as the sandbox provider records it, refunds included."""
    response = requests.get(
        api.url(f"/sandbox/api/payments/{payment_id}/"),
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def wait_until_refunded_in_full(api: Api, payment_id: str) -> dict[str, Any]:
    return eventually(
        lambda: provider_payment(api, payment_id),
        lambda payment: payment["refunded"] == payment["amount"],
        f"payment {payment_id} refunded in full",
    )


def wait_for_the_hold_to_lapse(held: dict[str, Any]) -> None:
    lapses_at = datetime.fromisoformat(held["expires_at"]).timestamp()
    time.sleep(max(0.0, lapses_at - time.time()) + 0.2)


def checked_out_then_expired(server: Server, skip: int) -> tuple[Api, dict[str, Any], str, str]:
    """A customer holds two seats and checks out, then the hold lapses unpaid and the
    sweep expires it: the customer's Api, the slot, the reference and the payment id."""
    api = Api(server.url)
    api.register()
    _, slot = slot_ahead(api, skip)
    held = hold(api, slot)
    payment_id = checkout(api, held["reference"])["payment_id"]
    wait_for_the_hold_to_lapse(held)
    server.manage("expire_holds")
    return api, slot, held["reference"], payment_id


def charge(api: Api, amount: Decimal, currency: str) -> dict[str, Any]:
    """A payment the provider takes on its own, for no booking it knows of."""
    started = requests.post(
        api.url("/sandbox/api/payments/"),
        json={
            "amount": str(amount),
            "currency": currency,
            "webhook_url": api.url("/webhooks/payments/sandbox/"),  # its event names no booking
        },
        headers={"Authorization": f"Bearer {SANDBOX_KEY}", "Idempotency-Key": secrets.token_hex(8)},
        timeout=10,
    )
    assert started.status_code == 201, started.text
    return dict(sandbox(api, f"payments/{started.json()['id']}/pay/", {"outcome": "pay"}).json())


def payment_succeeded_webhook(
    api: Api, payment: dict[str, Any], metadata: dict[str, str]
) -> requests.Response:
    """The provider's signed `payment.succeeded` event for `payment`, sent to the shop,
    signed as docs/payments.md says: HMAC-SHA256 of "{t}.{body}"."""
    body = json.dumps(
        {
            "id": f"evt_{secrets.token_hex(12)}",
            "type": "payment.succeeded",
            "created": int(time.time()),
            "data": {
                "payment_id": payment["id"],
                "amount": payment["amount"],
                "currency": payment["currency"],
                "metadata": metadata,
            },
        }
    ).encode()
    signed_at = int(time.time())
    mac = hmac.new(WEBHOOK_SECRET.encode(), f"{signed_at}.".encode() + body, hashlib.sha256)
    return requests.post(
        api.url("/webhooks/payments/sandbox/"),
        data=body,
        headers={
            "Content-Type": "application/json",
            "Sandbox-Signature": f"t={signed_at},v1={mac.hexdigest()}",
        },
        timeout=10,
    )


# ---------------------------------------------------------------- scenarios


def test_a_payment_after_the_customer_cancelled_is_refunded_in_full(api: Api) -> None:
    api.register()
    _, slot = slot_ahead(api, skip=5)
    reference = hold(api, slot)["reference"]
    payment_id = checkout(api, reference)["payment_id"]
    cancelled = api.post(f"/api/v1/bookings/{reference}/cancel/")
    assert cancelled.status_code == 200, cancelled.text

    settle(api, payment_id, "pay")  # the pay page was still open

    wait_until_refunded_in_full(api, payment_id)
    assert booking(api, reference) == cancelled.json()  # still cancelled, nothing by policy
    assert "refund" not in cancelled.json()
    assert seats_available(api, slot) == slot["seats_available"]


def test_a_payment_of_the_wrong_amount_is_refunded_and_the_booking_stays_payable(
    api: Api,
) -> None:
    api.register()
    _, slot = slot_ahead(api, skip=6)
    held = hold(api, slot)
    started = checkout(api, held["reference"])
    names_the_booking = provider_payment(api, started["payment_id"])["metadata"]
    total = held["total"]
    overcharged = charge(api, Decimal(total["amount"]) + 1, total["currency"])
    # The sandbox only reports what it was asked for, so the provider's word that this
    # charge paid for the booking is an event the test signs itself.

    answer = payment_succeeded_webhook(api, overcharged, names_the_booking)

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": True, "outcome": "returned"}
    assert provider_payment(api, overcharged["id"])["refunded"] == overcharged["amount"]
    assert booking(api, held["reference"]) == held  # still held, nothing booked
    assert seats_available(api, slot) == slot["seats_available"] - 2

    settle(api, started["payment_id"], "pay")  # the right amount still confirms it

    wait_for_status(api, held["reference"], "confirmed")
    assert provider_payment(api, started["payment_id"])["refunded"] == "0.00"


def test_a_payment_after_the_hold_expired_books_the_seats_again_while_they_remain(
    short_hold_server: Server,
) -> None:
    api, slot, reference, payment_id = checked_out_then_expired(short_hold_server, skip=0)
    assert booking(api, reference)["status"] == "expired"
    assert seats_available(api, slot) == slot["seats_available"]

    settle(api, payment_id, "pay")

    wait_for_status(api, reference, "confirmed")
    assert seats_available(api, slot) == slot["seats_available"] - 2
    assert provider_payment(api, payment_id)["refunded"] == "0.00"


def test_a_payment_after_the_hold_expired_and_the_seats_sold_is_refunded_in_full(
    short_hold_server: Server,
) -> None:
    api, slot, reference, payment_id = checked_out_then_expired(short_hold_server, skip=1)
    someone_else = Api(short_hold_server.url)
    someone_else.register()
    take_seats(someone_else, slot["id"], seats_available(api, slot))  # every seat left

    settle(api, payment_id, "pay")

    wait_until_refunded_in_full(api, payment_id)
    assert booking(api, reference)["status"] == "expired"
    assert seats_available(api, slot) == 0
