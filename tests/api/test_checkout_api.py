"""`POST /api/v1/bookings/{reference}/checkout/` through DRF's test client, with the
in-memory fake in place of the payment provider: the shape, reusing the payment
already started, who may pay for what, the provider being down, and a query budget."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers
from rest_framework.response import Response
from rest_framework.test import APIClient

from adapters.booking import models as booking_models
from application.booking.expire_holds import ExpireHoldsCommand
from application.booking.handle_payment_event import HandlePaymentEvent, Outcome
from application.booking.ports import StartedPayment
from config.container import container
from domain.booking.payments import PaymentEvent, PaymentEventKind
from domain.shared.money import Money
from tests.api.customers import Customer, make_customer
from tests.api.problems import assert_problem
from tests.factories.orm import SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
PROBLEM_JSON = "application/problem+json"

# ---- query budget (counted with the token lookup; the test database wraps every test in
# a transaction, so the unit of work's atomic block shows as a savepoint pair)

# POST /api/v1/bookings/{reference}/checkout/, starting a payment, however many lines:
#   1. SELECT the token JOIN its user                (TokenAuthentication)
#   2. SAVEPOINT                                     (the unit of work begins)
#   3. SELECT the booking FOR UPDATE                 (by reference and customer)
#   4. SELECT its lines                              (prefetch)
#   5. SELECT its payment attempts                   (prefetch)
#   6. UPDATE the booking                            (its changing fields)
#   7. INSERT the attempt … ON CONFLICT DO UPDATE    (bulk_create of every attempt)
#   8. RELEASE SAVEPOINT                             (the unit of work commits)
CHECKOUT_QUERIES = 8

# The same again while that payment is pending: queries 1-5 and 8, nothing written.
CHECKOUT_AGAIN_QUERIES = 6


# ---------------------------------------------------------------- helpers and fixtures


class CountingGateway(InMemoryPaymentGateway):
    """The fake provider, counting every call to start a payment (failed ones too)."""

    def __init__(self) -> None:
        super().__init__()
        self.start_calls: list[str] = []

    def start_payment(
        self, *, amount: Money, idempotency_key: str, booking_id: UUID, reference: str
    ) -> StartedPayment:
        self.start_calls.append(idempotency_key)
        return super().start_payment(
            amount=amount,
            idempotency_key=idempotency_key,
            booking_id=booking_id,
            reference=reference,
        )


@pytest.fixture
def gateway() -> Iterator[CountingGateway]:
    """A fresh fake payment provider for this test only (the real one is a singleton)."""
    fake = CountingGateway()
    with container.payment_gateway.override(providers.Object(fake)):
        yield fake


def hold(customer: Customer, *lines: tuple[Any, int]) -> str:
    body = {"lines": [{"slot_id": str(s.id), "seats": n} for s, n in lines]}
    response = customer.client.post(BOOKINGS, body, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["reference"])


def checkout(customer: Customer | APIClient, reference: str) -> Response:
    client = customer.client if isinstance(customer, Customer) else customer
    return client.post(f"{BOOKINGS}{reference}/checkout/")


def booking_row(reference: str) -> booking_models.Booking:
    return booking_models.Booking.objects.get(reference=reference)


def pay_for(reference: str) -> None:
    """Confirm the booking as its payment's webhook would, through the use case."""
    row = booking_row(reference)
    attempt = row.payments.get()
    event = PaymentEvent(
        provider=attempt.provider,
        event_id=f"evt_{reference}",
        kind=PaymentEventKind.PAYMENT_SUCCEEDED,
        payment_id=attempt.payment_id,
        amount=Money(row.total_amount, row.currency),
        booking_id=row.id,
        occurred_at=datetime.now(UTC),
    )
    handler: HandlePaymentEvent = container.handle_payment_event()
    assert handler(event).outcome is Outcome.CONFIRMED


# ---------------------------------------------------------------- checkout


class TestCheckout:
    def test_returns_where_to_pay(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        response = checkout(alice, reference)

        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/json"
        assert response.json() == {
            "payment_id": "pay_1",
            "provider": "fake",
            "pay_url": "https://pay.invalid/pay_1",
            "amount": {"amount": "50.00", "currency": "EUR"},
        }
        row = booking_row(reference)
        assert gateway.start_calls == [f"checkout-{row.id}-1"]
        attempt = row.payments.get()
        assert (attempt.provider, attempt.payment_id, attempt.amount, attempt.status) == (
            "fake",
            "pay_1",
            Decimal("50.00"),
            "pending",
        )
        assert attempt.pay_url == "https://pay.invalid/pay_1"
        assert row.status == "held"  # paying is the provider's webhook's business

    def test_the_amount_is_the_total_of_every_line(
        self, alice: Customer, gateway: CountingGateway
    ) -> None:
        cheap = SlotRowFactory(price_amount=Decimal("10.50"))
        dear = SlotRowFactory(price_amount=Decimal("99.99"))
        reference = hold(alice, (cheap, 3), (dear, 1))

        body = checkout(alice, reference).json()

        assert body["amount"] == {"amount": "131.49", "currency": "EUR"}

    def test_a_second_checkout_returns_the_same_payment(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        first = checkout(alice, reference)
        again = checkout(alice, reference)

        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert len(gateway.start_calls) == 1
        assert booking_models.BookingPayment.objects.count() == 1

    def test_the_booking_shape_is_unchanged_by_checkout(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        before = alice.client.get(f"{BOOKINGS}{reference}/").json()
        checkout(alice, reference)

        assert alice.client.get(f"{BOOKINGS}{reference}/").json() == before

    def test_a_confirmed_booking_is_not_payable(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        checkout(alice, reference)
        pay_for(reference)

        problem = assert_problem(checkout(alice, reference), 409, "not-payable")

        assert "confirmed" in problem["detail"]
        assert len(gateway.start_calls) == 1
        assert booking_models.BookingPayment.objects.count() == 1

    def test_a_cancelled_booking_is_not_payable(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        assert alice.client.post(f"{BOOKINGS}{reference}/cancel/").status_code == 200

        problem = assert_problem(checkout(alice, reference), 409, "not-payable")

        assert "cancelled" in problem["detail"]
        assert gateway.start_calls == []
        assert not booking_models.BookingPayment.objects.exists()

    def test_an_expired_booking_is_not_payable(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        booking_models.Booking.objects.filter(reference=reference).update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )
        assert container.expire_holds()(ExpireHoldsCommand()).expired == 1
        assert booking_row(reference).status == "expired"

        problem = assert_problem(checkout(alice, reference), 409, "not-payable")

        assert "expired" in problem["detail"]
        assert gateway.start_calls == []
        assert not booking_models.BookingPayment.objects.exists()

    def test_a_lapsed_hold_not_yet_expired_is_not_payable(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        booking_models.Booking.objects.filter(reference=reference).update(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)
        )

        problem = assert_problem(checkout(alice, reference), 409, "not-payable")

        assert "expired" in problem["detail"]
        assert booking_row(reference).status == "held"  # the expiry job's business
        assert gateway.start_calls == []
        assert not booking_models.BookingPayment.objects.exists()

    def test_someone_elses_booking_is_not_found(
        self, alice: Customer, bob: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))

        assert_problem(checkout(bob, reference), 404, "not-found")
        assert gateway.start_calls == []
        assert not booking_models.BookingPayment.objects.exists()

    def test_an_unknown_booking_is_not_found(
        self, alice: Customer, gateway: CountingGateway
    ) -> None:
        assert_problem(checkout(alice, "PS-AAAAAA"), 404, "not-found")
        assert gateway.start_calls == []

    def test_without_a_token_is_a_401(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        response = checkout(APIClient(), reference)

        assert_problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"] == "Token"
        assert gateway.start_calls == []

    def test_get_is_not_allowed(self, alice: Customer, slot: Any, gateway: CountingGateway) -> None:
        reference = hold(alice, (slot, 2))

        assert_problem(
            alice.client.get(f"{BOOKINGS}{reference}/checkout/"), 405, "method-not-allowed"
        )
        assert gateway.start_calls == []


class TestProviderDown:
    def test_is_a_503_with_retry_after_and_records_nothing(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        gateway.fail_next = True

        response = checkout(alice, reference)

        problem = assert_problem(response, 503, "service-unavailable")
        assert problem["detail"] == "The payment provider did not answer."
        assert int(response["Retry-After"]) > 0
        assert not booking_models.BookingPayment.objects.exists()
        row = booking_row(reference)
        assert row.status == "held"
        assert len(gateway.start_calls) == 1

    def test_a_retry_afterwards_starts_the_payment_with_the_same_key(
        self, alice: Customer, slot: Any, gateway: CountingGateway
    ) -> None:
        reference = hold(alice, (slot, 2))
        gateway.fail_next = True
        assert checkout(alice, reference).status_code == 503

        response = checkout(alice, reference)

        assert response.status_code == 200, response.content
        assert response.json()["payment_id"] == "pay_1"
        row = booking_row(reference)
        # The same idempotency key both times: a provider that did act before failing
        # hands back that payment rather than a second one.
        assert gateway.start_calls == [f"checkout-{row.id}-1"] * 2
        assert booking_models.BookingPayment.objects.count() == 1


# ---------------------------------------------------------------- query budget


class TestQueryBudget:
    @pytest.mark.parametrize("lines", [1, 5])
    def test_a_checkout_costs_a_fixed_number_of_queries(
        self,
        alice: Customer,
        gateway: CountingGateway,
        django_assert_num_queries: Any,
        lines: int,
    ) -> None:
        slots = SlotRowFactory.create_batch(lines)
        reference = hold(alice, *((s, 1) for s in slots))
        for _ in range(5):  # other customers' bookings and payments change nothing
            other = make_customer()
            checkout(other, hold(other, *((s, 1) for s in slots)))

        with django_assert_num_queries(CHECKOUT_QUERIES):
            assert checkout(alice, reference).status_code == 200

        with django_assert_num_queries(CHECKOUT_AGAIN_QUERIES):
            assert checkout(alice, reference).status_code == 200
