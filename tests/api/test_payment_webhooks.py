"""`POST /webhooks/payments/{provider}/`: the inbound adapter, fed events signed and
shaped exactly as the sandbox provider sends them.

Each booking is held through the API and checked out with the in-memory fake provider,
so the events name a payment Portside really started. The signature comes first: a
bad, missing or stale one is a 400 that changes nothing, not even the inbox.
"""

import json
import time
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from dependency_injector import providers
from django.conf import settings
from rest_framework.response import Response
from rest_framework.test import APIClient

from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from config.container import container
from domain.shared.money import Money
from outside.payment_sandbox.signing import HEADER, sign
from tests.api.problems import assert_problem
from tests.factories.orm import SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway

pytestmark = pytest.mark.django_db

WEBHOOK = "/webhooks/payments/sandbox/"
BOOKINGS = "/api/v1/bookings/"
PROBLEM_JSON = "application/problem+json"
TOLERANCE = 300  # seconds either side of now that a signature's timestamp may be


# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture
def gateway() -> Iterator[InMemoryPaymentGateway]:
    """A fresh fake payment provider for this test only (the real one is a singleton),
    standing in for the sandbox: a payment belongs to the provider that started it."""
    fake = InMemoryPaymentGateway()
    fake.name = "sandbox"
    with container.payment_gateway.override(providers.Object(fake)):
        yield fake


@pytest.fixture
def slot() -> catalog_models.Slot:
    """Ten seats at 25.00 EUR, 30 days ahead, on a published listing."""
    return SlotRowFactory()


@pytest.fixture
def booking(
    customer: APIClient, slot: catalog_models.Slot, gateway: InMemoryPaymentGateway
) -> dict[str, Any]:
    """Two seats held (50.00 EUR) and checked out: reference, id and payment id."""
    body = {"lines": [{"slot_id": str(slot.id), "seats": 2}]}
    held = customer.post(BOOKINGS, body, format="json")
    assert held.status_code == 201, held.content
    reference = held.json()["reference"]
    started = customer.post(f"{BOOKINGS}{reference}/checkout/")
    assert started.status_code == 200, started.content
    return {
        "reference": reference,
        "id": str(booking_models.Booking.objects.get(reference=reference).id),
        "payment_id": started.json()["payment_id"],
    }


def event(
    booking: dict[str, Any] | None,
    event_type: str = "payment.succeeded",
    amount: str = "50.00",
    currency: str = "EUR",
    **data: Any,
) -> dict[str, Any]:
    """An event in the sandbox's shape (see outside/payment_sandbox/views.py::_emit)."""
    booking = booking or {"id": str(uuid4()), "reference": "PS-ZZZZZZ", "payment_id": "pay_x"}
    return {
        "id": f"evt_{uuid4().hex[:24]}",
        "type": event_type,
        "created": int(time.time()),
        "data": {
            "payment_id": booking["payment_id"],
            "amount": amount,
            "currency": currency,
            "metadata": {"booking_id": booking["id"], "reference": booking["reference"]},
            **data,
        },
    }


def encode(payload: Any) -> bytes:
    """The bytes as the sandbox sends them (outside/payment_sandbox/delivery.py::body_of)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def post_raw(body: bytes, signature: str | None, path: str = WEBHOOK, **headers: str) -> Response:
    if signature is not None:
        headers[HEADER] = signature
    return APIClient().post(path, body, content_type="application/json", headers=headers)


def deliver(payload: Any, timestamp: int | None = None, path: str = WEBHOOK) -> Response:
    """Post a payload signed with the configured secret, as the sandbox does."""
    body = encode(payload)
    return post_raw(body, sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, timestamp), path)


def assert_received(response: Response, outcome: str) -> None:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"received": True, "outcome": outcome}


def status_of(booking: dict[str, Any]) -> str:
    return str(booking_models.Booking.objects.get(id=booking["id"]).status)


def seats(slot: catalog_models.Slot) -> tuple[int, int]:
    """(held, booked)"""
    slot.refresh_from_db()
    return slot.seats_held, slot.seats_booked


def inbox() -> list[booking_models.ProviderEvent]:
    return list(booking_models.ProviderEvent.objects.order_by("id"))


def assert_nothing_changed(booking: dict[str, Any], slot: catalog_models.Slot) -> None:
    assert status_of(booking) == "held"
    assert seats(slot) == (2, 0)
    assert inbox() == []
    assert booking_models.BookingPayment.objects.get().status == "pending"


# ---------------------------------------------------------------- a good event


class TestPaymentSucceeded:
    def test_confirms_the_booking(self, booking: dict[str, Any], slot: Any) -> None:
        payload = event(booking)

        assert_received(deliver(payload), "confirmed")

        assert status_of(booking) == "confirmed"
        assert seats(slot) == (0, 2)
        row = booking_models.Booking.objects.get(id=booking["id"])
        assert (row.payment_provider, row.payment_id) == ("sandbox", booking["payment_id"])
        assert booking_models.BookingPayment.objects.get().status == "succeeded"
        [filed] = inbox()
        assert (filed.provider, filed.event_id, filed.kind, filed.outcome) == (
            "sandbox",
            payload["id"],
            "payment.succeeded",
            "confirmed",
        )
        assert str(filed.booking_id) == booking["id"]
        assert filed.payment_id == booking["payment_id"]
        assert filed.resolved_at is not None

    def test_the_customer_sees_the_booking_confirmed(
        self, booking: dict[str, Any], customer: APIClient
    ) -> None:
        deliver(event(booking))

        read = customer.get(f"{BOOKINGS}{booking['reference']}/").json()
        assert read["status"] == "confirmed"

    def test_a_payment_found_by_its_id_alone_confirms_too(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        payload = event(booking)
        payload["data"]["metadata"] = {}

        assert_received(deliver(payload), "confirmed")
        assert seats(slot) == (0, 2)

    def test_a_signature_made_within_the_tolerance_is_accepted(
        self, booking: dict[str, Any]
    ) -> None:
        assert_received(deliver(event(booking), timestamp=int(time.time()) - 290), "confirmed")

    def test_a_declined_payment_leaves_the_booking_held(
        self, booking: dict[str, Any], slot: Any, customer: APIClient
    ) -> None:
        assert_received(deliver(event(booking, "payment.failed")), "failed")

        assert status_of(booking) == "held"
        assert seats(slot) == (2, 0)
        assert booking_models.BookingPayment.objects.get().status == "failed"
        retry = customer.post(f"{BOOKINGS}{booking['reference']}/checkout/")
        assert retry.status_code == 200
        assert retry.json()["payment_id"] != booking["payment_id"]


# ---------------------------------------------------------------- signatures


class TestSignature:
    def test_a_missing_signature_is_a_400_and_changes_nothing(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        problem = assert_problem(post_raw(encode(event(booking)), None), 400, "invalid-signature")

        assert problem["title"] == "Invalid signature"
        assert_nothing_changed(booking, slot)

    def test_a_signature_with_the_wrong_secret_is_a_400_and_changes_nothing(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        body = encode(event(booking))

        response = post_raw(body, sign(body, "whsec_someone_else"))

        assert_problem(response, 400, "invalid-signature")
        assert_nothing_changed(booking, slot)

    def test_a_tampered_body_is_a_400_and_changes_nothing(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        payload = event(booking)
        signature = sign(encode(payload), settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET)
        payload["data"]["amount"] = "0.01"

        assert_problem(post_raw(encode(payload), signature), 400, "invalid-signature")
        assert_nothing_changed(booking, slot)

    @pytest.mark.parametrize("seconds", [-(TOLERANCE + 1), TOLERANCE + 60])
    def test_a_stale_or_future_timestamp_is_a_400_and_changes_nothing(
        self, booking: dict[str, Any], slot: Any, seconds: int
    ) -> None:
        response = deliver(event(booking), timestamp=int(time.time()) + seconds)

        problem = assert_problem(response, 400, "invalid-signature")
        assert "tolerance" in problem["detail"]
        assert_nothing_changed(booking, slot)

    def test_a_captured_request_replayed_later_is_refused(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        """The signature covers the timestamp: moving it forward breaks the signature."""
        body = encode(event(booking))
        old = int(time.time()) - TOLERANCE - 1
        captured = sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, old)
        mac = captured.split("v1=")[1]

        response = post_raw(body, f"t={int(time.time())},v1={mac}")

        assert_problem(response, 400, "invalid-signature")
        assert_nothing_changed(booking, slot)

    @pytest.mark.parametrize(
        "signature", ["", "garbage", "t=abc,v1=00", "v1=00", f"t={int(time.time())}"]
    )
    def test_a_malformed_signature_header_is_a_400(
        self, booking: dict[str, Any], slot: Any, signature: str
    ) -> None:
        assert_problem(post_raw(encode(event(booking)), signature), 400, "invalid-signature")
        assert_nothing_changed(booking, slot)

    def test_one_good_signature_among_several_is_enough(self, booking: dict[str, Any]) -> None:
        """As with Stripe, a provider rolling its secret may send two `v1` values."""
        body = encode(event(booking))
        good = sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET)
        header = good.replace("v1=", f"v1={'0' * 64},v1=")

        assert_received(post_raw(body, header), "confirmed")

    def test_the_signature_is_checked_before_the_body_is_read(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        response = post_raw(b"{not json", "t=1,v1=00")

        assert_problem(response, 400, "invalid-signature")
        assert_nothing_changed(booking, slot)


# ---------------------------------------------------------------- the inbox


class TestInbox:
    def test_a_replayed_event_is_a_duplicate_and_does_nothing_twice(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        payload = event(booking)
        assert_received(deliver(payload), "confirmed")

        assert_received(deliver(payload), "duplicate")
        assert_received(deliver(payload), "duplicate")

        assert status_of(booking) == "confirmed"
        assert seats(slot) == (0, 2)
        [filed] = inbox()
        assert filed.outcome == "confirmed"

    def test_the_same_payment_in_a_new_event_is_already_applied(
        self, booking: dict[str, Any], slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        """Providers may report one payment in two events: the seats are booked once."""
        deliver(event(booking))

        assert_received(deliver(event(booking)), "already_applied")

        assert seats(slot) == (0, 2)
        assert gateway.refunds == {}
        assert [row.outcome for row in inbox()] == ["confirmed", "already_applied"]

    def test_an_unknown_event_type_is_acknowledged_and_ignored(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        payload = event(booking, "payment.disputed")

        assert_received(deliver(payload), "ignored")

        assert status_of(booking) == "held"
        assert seats(slot) == (2, 0)
        [filed] = inbox()
        assert (filed.event_id, filed.kind, filed.outcome) == (payload["id"], "", "ignored")
        assert filed.booking_id is None

    def test_an_unknown_booking_is_acknowledged_and_kept_for_review(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        payload = event(None)

        assert_received(deliver(payload), "unmatched")

        assert status_of(booking) == "held"
        [filed] = inbox()
        assert (filed.event_id, filed.outcome, filed.payment_id) == (
            payload["id"],
            "unmatched",
            "pay_x",
        )
        assert filed.note
        assert filed.event["booking_id"] == payload["data"]["metadata"]["booking_id"]

    def test_a_payment_id_started_at_another_provider_is_not_ours(
        self, booking: dict[str, Any], slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        booking_models.BookingPayment.objects.update(provider="stripe")

        assert_received(deliver(event(booking)), "unmatched")

        assert status_of(booking) == "held"
        assert seats(slot) == (2, 0)
        assert gateway.refunds == {}
        assert booking_models.BookingPayment.objects.get().status == "pending"
        [filed] = inbox()
        assert filed.outcome == "unmatched"
        assert filed.note

    def test_an_unknown_provider_is_a_404_problem(self, booking: dict[str, Any], slot: Any) -> None:
        response = deliver(event(booking), path="/webhooks/payments/nope/")

        problem = assert_problem(response, 404, "not-found")
        assert "nope" in problem["detail"]
        assert_nothing_changed(booking, slot)


# ---------------------------------------------------------------- malformed events


class TestMalformed:
    def test_invalid_json_with_a_valid_signature_is_a_400(
        self, booking: dict[str, Any], slot: Any
    ) -> None:
        body = b'{"id": "evt_1", "type": '
        response = post_raw(body, sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET))

        problem = assert_problem(response, 400, "malformed-event")
        assert problem["title"] == "Malformed event"
        assert_nothing_changed(booking, slot)

    @pytest.mark.parametrize(
        "spoil",
        [
            pytest.param(lambda e: e.pop("data"), id="no data"),
            pytest.param(lambda e: e.pop("id"), id="no id"),
            pytest.param(lambda e: e.pop("created"), id="no created"),
            pytest.param(lambda e: e["data"].pop("payment_id"), id="no payment id"),
            pytest.param(lambda e: e.update(created="yesterday"), id="created not a number"),
            pytest.param(lambda e: e.update(created=10**20), id="created out of range"),
            pytest.param(lambda e: e.update(type=["payment.succeeded"]), id="type a list"),
            pytest.param(lambda e: e["data"].update(amount="lots"), id="amount not a number"),
            pytest.param(lambda e: e["data"].update(amount=50.0), id="amount a float"),
            pytest.param(lambda e: e["data"].update(currency="XYZ"), id="unknown currency"),
            pytest.param(
                lambda e: e["data"]["metadata"].update(booking_id="PS-1"), id="booking id no uuid"
            ),
            pytest.param(lambda e: e["data"].update(metadata=None), id="metadata null"),
            pytest.param(lambda e: e["data"].update(metadata="x"), id="metadata a string"),
            pytest.param(lambda e: e.update(data=[1, 2]), id="data a list"),
        ],
    )
    def test_a_signed_event_missing_what_it_needs_is_a_400(
        self, booking: dict[str, Any], slot: Any, spoil: Any
    ) -> None:
        payload = event(booking)
        spoil(payload)

        assert_problem(deliver(payload), 400, "malformed-event")
        assert_nothing_changed(booking, slot)

    @pytest.mark.parametrize("payload", [[], "payment.succeeded", 42, None])
    def test_a_signed_body_that_is_not_an_object_is_a_400(
        self, booking: dict[str, Any], slot: Any, payload: Any
    ) -> None:
        assert_problem(deliver(payload), 400, "malformed-event")
        assert_nothing_changed(booking, slot)


# ---------------------------------------------------------------- refunds of payments


class TestReturnedPayments:
    def test_an_amount_mismatch_is_refunded_in_full(
        self, booking: dict[str, Any], slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        payload = event(booking, amount="49.99")

        assert_received(deliver(payload), "returned")

        assert status_of(booking) == "held"
        assert seats(slot) == (2, 0)
        refund_key = f"return-{booking['payment_id']}"
        assert gateway.refunds == {refund_key: (booking["payment_id"], Money("49.99", "EUR"))}
        row = booking_models.Booking.objects.get(id=booking["id"])
        assert [(r["payment_id"], r["reason"], r["refund_id"]) for r in row.returned_payments] == [
            (booking["payment_id"], "amount_mismatch", f"re_{refund_key}")
        ]
        [filed] = inbox()
        assert filed.outcome == "returned"
        assert "amount_mismatch" in filed.note

    def test_a_payment_in_another_currency_is_refunded_in_full(
        self, booking: dict[str, Any], gateway: InMemoryPaymentGateway
    ) -> None:
        assert_received(deliver(event(booking, currency="GBP")), "returned")

        assert status_of(booking) == "held"
        assert list(gateway.refunds.values()) == [(booking["payment_id"], Money("50.00", "GBP"))]

    def test_the_provider_failing_while_refunding_is_a_503_and_files_nothing(
        self, booking: dict[str, Any], slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        payload = event(booking, amount="49.99")
        gateway.fail_next = True

        response = deliver(payload)

        assert_problem(response, 503, "service-unavailable")
        assert int(response["Retry-After"]) > 0
        assert_nothing_changed(booking, slot)
        assert gateway.refunds == {}
        # The provider retries the same event, which now runs afresh.
        assert_received(deliver(payload), "returned")
        assert len(gateway.refunds) == 1
        assert [row.outcome for row in inbox()] == ["returned"]

    def test_a_second_payment_for_a_confirmed_booking_is_refunded(
        self, booking: dict[str, Any], slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        deliver(event(booking))
        other = {**booking, "payment_id": "pay_other"}

        assert_received(deliver(event(other)), "returned")

        assert status_of(booking) == "confirmed"
        assert seats(slot) == (0, 2)
        assert list(gateway.refunds) == ["return-pay_other"]


# ---------------------------------------------------------------- OpenAPI


def test_the_schema_documents_checkout_and_the_payment_webhook() -> None:
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    checkout = paths["/api/v1/bookings/{reference}/checkout/"]["post"]
    assert {"200", "404", "409", "503"} <= set(checkout["responses"])
    webhook = paths["/webhooks/payments/{provider}/"]["post"]
    assert {"200", "400", "404", "503"} <= set(webhook["responses"])
    assert [p["name"] for p in webhook["parameters"] if p["in"] == "path"] == ["provider"]
