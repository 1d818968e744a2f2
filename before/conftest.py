"""Fixtures for the before shop's tests: customers with tokens, listings and slots,
held bookings, and a stand-in for the sandbox provider's HTTP API.

Run with `pytest before --ds=before.settings`.
"""

import hashlib
import hmac
import itertools
import json
import time
from datetime import timedelta
from decimal import Decimal
from unittest import mock
from uuid import uuid4

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from before.bookings.models import Booking
from before.catalog.models import Listing, Slot

FLEXIBLE = [{"hours_before": 48, "refund_percent": 100}, {"hours_before": 24, "refund_percent": 50}]
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_customer(email=None):
    """A user with a token, and an APIClient that sends it (`client.user` is the user)."""
    email = email or f"customer{next(_numbers)}@example.com"
    user = get_user_model().objects.create_user(username=email, email=email)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def customer(db):
    return make_customer("alice@example.com")


@pytest.fixture
def other_customer(db):
    return make_customer("bob@example.com")


@pytest.fixture
def make_slot(db):
    """`make_slot(**fields)`: a two-hour slot of ten seats at 25.00 EUR, 30 days ahead,
    on a published listing with the flexible policy (listing fields as `listing__…`)."""

    def make(**fields):
        listing_fields = {
            key.removeprefix("listing__"): fields.pop(key)
            for key in list(fields)
            if key.startswith("listing__")
        }
        listing = fields.pop("listing", None) or Listing.objects.create(
            **{
                "title": f"Tour {next(_numbers):04d}",
                "location": "Lisbon",
                "currency": "EUR",
                "cancellation_policy": FLEXIBLE,
                "is_published": True,
                **listing_fields,
            }
        )
        starts_at = fields.pop(
            "starts_at", timezone.now() + timedelta(days=30, hours=next(_numbers))
        )
        return Slot.objects.create(
            **{
                "listing": listing,
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=2),
                "capacity": 10,
                "price": Decimal("25.00"),
                **fields,
            }
        )

    return make


@pytest.fixture
def slot(make_slot):
    return make_slot()


def hold(client, *lines, **headers):
    """POST a hold of `(slot, seats)` lines; the response."""
    body = {"lines": [{"slot_id": str(getattr(s, "id", s)), "seats": n} for s, n in lines]}
    return client.post("/api/v1/bookings/", body, headers=headers)


@pytest.fixture
def held(customer, slot):
    """Two seats of `slot` held by `customer` (50.00 EUR)."""
    response = hold(customer, (slot, 2))
    assert response.status_code == 201, response.content
    return Booking.objects.get(reference=response.json()["reference"])


# ---------------------------------------------------------------- the sandbox provider


class FakeSandbox:
    """Answers `requests.post` to the sandbox API as the sandbox would, and records
    every call; `fail_next = True` makes the next call fail like a provider outage,
    `refuse_next = 401` makes the provider answer the next call with that 4xx."""

    def __init__(self):
        self.calls = []
        self.fail_next = False
        self.refuse_next = None

    def post(self, url, json=None, headers=None, timeout=None):
        if self.fail_next:
            self.fail_next = False
            raise requests.ConnectionError("sandbox down")
        if self.refuse_next:
            refused = requests.Response()
            refused.status_code, refused.url, self.refuse_next = self.refuse_next, url, None
            return refused
        key = headers["Idempotency-Key"]
        self.calls.append((url.removeprefix(settings.PAYMENTS_SANDBOX_URL), key, json))
        response = mock.Mock(status_code=201)
        if url.endswith("/api/payments/"):
            payment_id = f"pay_{hashlib.sha256(key.encode()).hexdigest()[:24]}"
            response.json.return_value = {
                "id": payment_id,
                "status": "pending",
                "pay_url": f"http://testserver/sandbox/pay/{payment_id}/",
            }
        else:
            response.json.return_value = {"id": f"re_{key}", **json}
        return response

    def refunds(self):
        return [(key, body) for path, key, body in self.calls if path == "/api/refunds/"]


@pytest.fixture
def sandbox():
    fake = FakeSandbox()
    with mock.patch("before.payments.sandbox.requests.post", side_effect=fake.post):
        yield fake


def sandbox_event(booking=None, kind="payment.succeeded", amount="50.00", **data):
    """An event shaped as the sandbox sends it, for `booking` (or an unknown one)."""
    payment = booking.payments.last() if booking else None
    return {
        "id": f"evt_{uuid4().hex[:24]}",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "payment_id": payment.payment_id if payment else "pay_unknown",
            "amount": amount,
            "currency": "EUR",
            "metadata": {
                "booking_id": str(booking.id) if booking else str(uuid4()),
                "reference": booking.reference if booking else "PS-ZZZZZZ",
            },
            **data,
        },
    }


def signed_body(payload, secret=None, timestamp=None):
    """The body and Sandbox-Signature header, as the sandbox would send them."""
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = secret or settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={mac}"


def deliver(payload, provider="sandbox", **signing):
    body, signature = signed_body(payload, **signing)
    return APIClient().post(
        f"/webhooks/payments/{provider}/",
        body,
        content_type="application/json",
        headers={"Sandbox-Signature": signature},
    )
