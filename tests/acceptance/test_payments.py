"""Paying for a booking end to end, as a customer and the sandbox provider see it.

Checkout returns the sandbox's pay page; the test pays (or declines) through the
sandbox's API twin of that page, and the sandbox posts its signed webhook back to the
same server in the background, so the booking changes a moment later: the tests poll,
within a bound. Plain HTTP only.
"""

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests

from tests.acceptance.conftest import Api

pytestmark = pytest.mark.acceptance

# The sandbox's API key: the development default unless the environment (which the
# server inherits) sets another.
SANDBOX_KEY = os.environ.get("PAYMENTS_SANDBOX_API_KEY", "sk_sandbox_development")
WAIT = 10.0  # seconds a webhook may take to arrive and take effect
SETTLE = 1.5  # seconds to let webhooks that should change nothing arrive
DAYS_AHEAD = 20  # slots this far ahead earn every listing's top refund tier


# ---------------------------------------------------------------- helpers


def eventually[T](read: Callable[[], T], done: Callable[[T], bool], what: str) -> T:
    """Read until `done`, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"Within {WAIT:.0f} s, never {what}; last seen: {value!r}")
        time.sleep(0.2)


def listings_with_a_policy(api: Api) -> list[dict[str, Any]]:
    """Listings that refund something, but the first one (test_bookings fills its slots)."""
    listings = api.get("/api/v1/listings/", page_size=100).json()["results"]
    return [listing for listing in listings[1:] if listing["cancellation_policy"]]


def slot_ahead(api: Api, skip: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A listing with a refund policy and its `skip`th slot DAYS_AHEAD days on or later
    with two seats free; each test asks for its own `skip`, so none share a slot."""
    listing = listings_with_a_policy(api)[0]
    starts_from = (datetime.now(UTC) + timedelta(days=DAYS_AHEAD)).strftime("%Y-%m-%dT%H:%M:%S")
    slots = api.get(f"/api/v1/listings/{listing['id']}/slots/", **{"from": starts_from}).json()
    candidates = [slot for slot in slots["results"] if slot["seats_available"] >= 2]
    return listing, candidates[skip]


def seats_available(api: Api, slot: dict[str, Any]) -> int:
    slots = api.get(f"/api/v1/listings/{slot['listing_id']}/slots/", page_size=100).json()
    return int(next(s for s in slots["results"] if s["id"] == slot["id"])["seats_available"])


def hold(api: Api, slot: dict[str, Any], seats: int = 2) -> dict[str, Any]:
    held = api.post("/api/v1/bookings/", {"lines": [{"slot_id": slot["id"], "seats": seats}]})
    assert held.status_code == 201, held.text
    return dict(held.json())


def checkout(api: Api, reference: str) -> dict[str, Any]:
    started = api.post(f"/api/v1/bookings/{reference}/checkout/")
    assert started.status_code == 200, started.text
    return dict(started.json())


def booking(api: Api, reference: str) -> dict[str, Any]:
    read = api.get(f"/api/v1/bookings/{reference}/")
    assert read.status_code == 200, read.text
    return dict(read.json())


def sandbox(api: Api, path: str, body: dict[str, Any]) -> requests.Response:
    """Call the sandbox provider's own API, as its operator (not as the customer)."""
    response = requests.post(
        api.url(f"/sandbox/api/{path}"),
        json=body,
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    return response


def settle(api: Api, payment_id: str, outcome: str) -> None:
    """What the customer does on the pay page: pay, or decline."""
    paid = sandbox(api, f"payments/{payment_id}/pay/", {"outcome": outcome}).json()
    assert paid["status"] == ("succeeded" if outcome == "pay" else "failed")


def wait_for_status(api: Api, reference: str, status: str) -> dict[str, Any]:
    return eventually(
        lambda: booking(api, reference), lambda b: b["status"] == status, f"status {status}"
    )


def expected_percent(listing: dict[str, Any], starts_at: str) -> int:
    """The listing's policy, read as documented: more notice than a tier's hours earns it."""
    notice = datetime.fromisoformat(starts_at) - datetime.now(UTC)
    for tier in listing["cancellation_policy"]:  # longest notice first
        if notice > timedelta(hours=tier["hours_before"]):
            return int(tier["refund_percent"])
    return 0


def paid_booking(api: Api, skip: int) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    """A customer holds two seats, checks out and pays: the listing, the slot, the
    confirmed booking and the payment id."""
    api.register()
    listing, slot = slot_ahead(api, skip)
    reference = hold(api, slot)["reference"]
    payment_id = checkout(api, reference)["payment_id"]
    settle(api, payment_id, "pay")
    return listing, slot, wait_for_status(api, reference, "confirmed"), payment_id


# ---------------------------------------------------------------- scenarios


def test_checkout_then_paying_at_the_sandbox_confirms_the_booking(api: Api) -> None:
    api.register()
    _, slot = slot_ahead(api, skip=0)
    held = hold(api, slot)
    reference = held["reference"]

    started = checkout(api, reference)

    assert set(started) >= {"payment_id", "provider", "pay_url", "amount"}
    assert started["provider"] == "sandbox"
    assert started["amount"] == held["total"]
    assert started["pay_url"] == api.url(f"/sandbox/pay/{started['payment_id']}/")
    page = requests.get(started["pay_url"], timeout=10)
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert checkout(api, reference) == started  # the same payment until it ends
    assert booking(api, reference)["status"] == "held"  # paying is the webhook's business

    settle(api, started["payment_id"], "pay")

    confirmed = wait_for_status(api, reference, "confirmed")
    assert {key: confirmed[key] for key in ("lines", "total")} == {
        key: held[key] for key in ("lines", "total")
    }
    assert seats_available(api, slot) == slot["seats_available"] - 2
    again = api.post(f"/api/v1/bookings/{reference}/checkout/")
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"
    assert again.json()["type"].endswith("/not-payable")


def test_a_declined_payment_leaves_the_booking_held_and_payable_again(api: Api) -> None:
    api.register()
    _, slot = slot_ahead(api, skip=1)
    reference = hold(api, slot)["reference"]
    first = checkout(api, reference)

    settle(api, first["payment_id"], "decline")

    # The declined payment's event has arrived once checkout starts a new payment.
    retry = eventually(
        lambda: checkout(api, reference),
        lambda started: started["payment_id"] != first["payment_id"],
        "a new payment after the decline",
    )
    assert retry["provider"] == "sandbox"
    assert retry["amount"] == first["amount"]
    time.sleep(SETTLE)
    assert booking(api, reference)["status"] == "held"
    assert seats_available(api, slot) == slot["seats_available"] - 2

    settle(api, retry["payment_id"], "pay")  # the second try goes through

    wait_for_status(api, reference, "confirmed")
    assert seats_available(api, slot) == slot["seats_available"] - 2


@pytest.mark.parametrize("order", ["original", "reversed"])
def test_events_delivered_again_or_out_of_order_change_nothing(api: Api, order: str) -> None:
    _, slot, confirmed, payment_id = paid_booking(api, skip=2 if order == "original" else 3)
    seats = seats_available(api, slot)

    for _ in range(2):
        resent = sandbox(api, f"payments/{payment_id}/resend/", {"order": order}).json()
        assert len(resent["resent"]) == 1  # payment.succeeded
    time.sleep(SETTLE)

    assert booking(api, confirmed["reference"]) == confirmed
    assert seats_available(api, slot) == seats == slot["seats_available"] - 2


def test_cancelling_a_paid_booking_refunds_by_the_listings_policy(api: Api) -> None:
    listing, slot, confirmed, payment_id = paid_booking(api, skip=4)
    reference = confirmed["reference"]
    percent = expected_percent(listing, slot["starts_at"])
    assert percent == listing["cancellation_policy"][0]["refund_percent"]  # the top tier

    cancelled = api.post(f"/api/v1/bookings/{reference}/cancel/")

    assert cancelled.status_code == 200, cancelled.text
    body = cancelled.json()
    assert body["status"] == "cancelled"
    total = Decimal(confirmed["total"]["amount"])
    refunded = (total * percent / 100).quantize(total)
    assert body["refund"] == {
        "amount": str(refunded),
        "currency": confirmed["total"]["currency"],
        "percent": percent,
    }
    assert seats_available(api, slot) == slot["seats_available"]

    # The provider's refund.succeeded, and every event again, newest first: no change.
    resent = sandbox(api, f"payments/{payment_id}/resend/", {"order": "reversed"}).json()
    assert len(resent["resent"]) == 2  # refund.succeeded, payment.succeeded
    time.sleep(SETTLE)
    assert booking(api, reference) == body
    assert seats_available(api, slot) == slot["seats_available"]
