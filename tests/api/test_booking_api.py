"""The booking endpoints through DRF's test client: accounts and tokens, the Booking
shape, problem details, ownership, cancellation with refunds, Idempotency-Key, and
query-count budgets that do not grow with the size of the database."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient

from adapters.api.models import IdempotencyKey
from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from config.container import container
from domain.booking.booking import Payment
from domain.shared.money import Money
from tests.api.customers import Customer, make_customer
from tests.api.problems import assert_problem, pointers
from tests.confirm import confirm_in
from tests.factories.orm import SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
BOOKINGS = "/api/v1/bookings/"
PROBLEM_JSON = "application/problem+json"
REFERENCE = re.compile(r"^PS-[A-Z0-9]{6}$")
STRONG_PASSWORD = "harbour-lights-at-dusk-42"

# ---- query budgets (each counted with the token lookup; the test database wraps every
# test in a transaction, so the unit of work's atomic block shows as a savepoint pair)

# POST /api/v1/bookings/, whatever the number of lines:
#   1. SELECT the token JOIN its user                (TokenAuthentication)
#   2. SAVEPOINT                                     (the unit of work begins)
#   3. SELECT the slots JOIN their listings FOR UPDATE, in id order (one query for all lines)
#   4. UPDATE the slots' seat counters               (bulk_update: one query for all lines)
#   5-7. SAVEPOINT, INSERT the booking, RELEASE      (a clash of references can be retried)
#   8. INSERT its lines                              (bulk_create: one query for all lines)
#   9. SELECT the active partner subscriptions       (the outbox; + one INSERT per matching one)
#  10. RELEASE SAVEPOINT                             (the unit of work commits)
HOLD_QUERIES = 10

# GET /api/v1/bookings/, whatever the page size:
#   1. SELECT the token JOIN its user
#   2. SELECT COUNT(*) of the customer's bookings
#   3. SELECT the page of bookings
#   4. SELECT the lines of those bookings, JOIN their slots and listings
#                                                    (one prefetch for the whole page)
# The booking reader (application/booking/queries.py) says where each payment stands
# with subqueries in query 3 rather than loading the attempts (5 queries once).
LIST_QUERIES = 4

# GET /api/v1/bookings/{reference}/: the token, the booking, its lines. Was 4 with its
# payment attempts, which the reader does not load (as in the list above).
DETAIL_QUERIES = 3


# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture
def gateway() -> Iterator[InMemoryPaymentGateway]:
    """A fresh fake payment provider for this test only (the real one is a singleton)."""
    fresh = InMemoryPaymentGateway()
    with container.payment_gateway.override(providers.Object(fresh)):
        yield fresh


def hold_body(*lines: tuple[Any, int]) -> dict[str, Any]:
    return {"lines": [{"slot_id": str(getattr(s, "id", s)), "seats": n} for s, n in lines]}


def post_hold(customer: Customer, *lines: tuple[Any, int], **headers: str) -> Response:
    return customer.client.post(BOOKINGS, hold_body(*lines), format="json", headers=headers)


def hold_directly(customer_id: int, *lines: tuple[catalog_models.Slot, int]) -> str:
    """Hold seats through the use case, as another entry point would; returns the reference."""
    command = HoldSeatsCommand(customer_id, tuple(HoldLine(s.id, n) for s, n in lines))
    return container.hold_seats()(command).reference


def confirm(reference: str) -> None:
    row = booking_models.Booking.objects.get(reference=reference)
    total = Money(row.total_amount, row.currency)
    confirm_in(container.unit_of_work(), row.id, Payment("test", "pay_1", total), timezone.now())


def seats_held(slot: catalog_models.Slot) -> int:
    slot.refresh_from_db()
    return slot.seats_held


# ---------------------------------------------------------------- register and token


@pytest.mark.usefixtures("fast_hashing")
class TestRegister:
    def test_creates_a_customer_and_returns_a_token(self) -> None:
        response = APIClient().post(
            REGISTER, {"email": "New@Example.com", "password": STRONG_PASSWORD}, format="json"
        )

        assert response.status_code == 201
        body = response.json()
        assert body["email"] == "new@example.com"
        user = get_user_model().objects.get(username="new@example.com")
        assert body["token"] == Token.objects.get(user=user).key
        assert user.check_password(STRONG_PASSWORD)

    def test_the_token_works_on_bookings(self) -> None:
        body = {"email": "fresh@example.com", "password": STRONG_PASSWORD}
        token = APIClient().post(REGISTER, body, format="json").json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

        assert client.get(BOOKINGS).status_code == 200

    def test_refuses_a_bad_email(self) -> None:
        body = {"email": "not-an-email", "password": STRONG_PASSWORD}
        response = APIClient().post(REGISTER, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert pointers(problem) == ["#/email"]
        assert not get_user_model().objects.exists()

    @pytest.mark.parametrize("password", ["123", "password", "12345678901"])
    def test_refuses_a_weak_password(self, password: str) -> None:
        body = {"email": "weak@example.com", "password": password}
        response = APIClient().post(REGISTER, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert set(pointers(problem)) == {"#/password"}
        assert not get_user_model().objects.exists()

    def test_refuses_a_password_that_is_not_a_string(self) -> None:
        body = {"email": "number@example.com", "password": 1.2345678e16}  # not "1.2345678e+16"
        response = APIClient().post(REGISTER, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert pointers(problem) == ["#/password"]
        assert not get_user_model().objects.exists()

    def test_refuses_a_duplicate_email_whatever_its_case(self) -> None:
        make_customer("taken@example.com")
        body = {"email": "Taken@Example.com", "password": STRONG_PASSWORD}
        response = APIClient().post(REGISTER, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert pointers(problem) == ["#/email"]
        assert get_user_model().objects.count() == 1


@pytest.mark.usefixtures("fast_hashing")
class TestToken:
    @pytest.fixture
    def registered(self) -> str:
        body = {"email": "me@example.com", "password": STRONG_PASSWORD}
        return APIClient().post(REGISTER, body, format="json").json()["token"]

    def test_good_credentials_return_the_token(self, registered: str) -> None:
        body = {"username": "me@example.com", "password": STRONG_PASSWORD}
        response = APIClient().post(TOKEN, body, format="json")

        assert response.status_code == 200
        assert response.json() == {"token": registered}

    @pytest.mark.parametrize(
        "body",
        [
            {"username": "me@example.com", "password": "wrong-password"},
            {"username": "nobody@example.com", "password": STRONG_PASSWORD},
            {"username": "me@example.com"},
        ],
    )
    def test_bad_credentials_are_a_400_problem(self, registered: str, body: dict[str, str]) -> None:
        response = APIClient().post(TOKEN, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert "token" not in problem


# ---------------------------------------------------------------- hold


class TestHold:
    def test_returns_the_booking(self, alice: Customer, slot: Any, settings: Any) -> None:
        settings.HOLD_MINUTES = 20
        response = post_hold(alice, (slot, 2))

        assert response.status_code == 201, response.content
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"reference", "status", "expires_at", "lines", "total", "created_at"}
        assert REFERENCE.match(body["reference"])
        assert body["status"] == "held"
        created_at = datetime.fromisoformat(body["created_at"])
        expires_at = datetime.fromisoformat(body["expires_at"])
        assert created_at.utcoffset() is not None
        assert abs(created_at - datetime.now(UTC)) < timedelta(minutes=1)
        assert expires_at - created_at == timedelta(minutes=20)
        assert body["lines"] == [
            {
                "slot_id": str(slot.id),
                "seats": 2,
                "unit_price": {"amount": "25.00", "currency": "EUR"},
            }
        ]
        assert body["total"] == {"amount": "50.00", "currency": "EUR"}
        assert seats_held(slot) == 2
        row = booking_models.Booking.objects.get(reference=body["reference"])
        assert row.customer_id == alice.id
        assert row.status == "held"

    def test_several_lines_add_up(self, alice: Customer) -> None:
        cheap = SlotRowFactory(price_amount=Decimal("10.50"))
        dear = SlotRowFactory(price_amount=Decimal("99.99"))
        response = post_hold(alice, (cheap, 3), (dear, 1))

        assert response.status_code == 201, response.content
        body = response.json()
        assert [(line["slot_id"], line["seats"]) for line in body["lines"]] == [
            (str(cheap.id), 3),
            (str(dear.id), 1),
        ]
        assert body["total"] == {"amount": "131.49", "currency": "EUR"}

    def test_the_last_seats_can_be_held(self, alice: Customer) -> None:
        slot = SlotRowFactory(capacity=10, seats_held=4, seats_booked=3)

        assert post_hold(alice, (slot, 3)).status_code == 201
        assert seats_held(slot) == 7

    def test_too_few_seats_is_a_409(self, alice: Customer) -> None:
        slot = SlotRowFactory(capacity=10, seats_held=6, seats_booked=2)
        response = post_hold(alice, (slot, 3))

        problem = assert_problem(response, 409, "not-enough-seats")
        assert "2" in problem["detail"]
        assert seats_held(slot) == 6
        assert not booking_models.Booking.objects.exists()

    def test_too_few_seats_in_one_line_holds_nothing_in_the_others(self, alice: Customer) -> None:
        roomy = SlotRowFactory()
        full = SlotRowFactory(capacity=2, seats_booked=2)
        response = post_hold(alice, (roomy, 2), (full, 1))

        assert_problem(response, 409, "not-enough-seats")
        assert seats_held(roomy) == 0

    def test_an_unknown_slot_is_a_422_naming_the_line(self, alice: Customer, slot: Any) -> None:
        response = post_hold(alice, (slot, 1), (uuid4(), 1))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines/1/slot_id"]
        assert seats_held(slot) == 0

    def test_an_unknown_first_slot_points_at_line_0(self, alice: Customer) -> None:
        problem = assert_problem(post_hold(alice, (uuid4(), 1)), 422, "invalid-request")
        assert pointers(problem) == ["#/lines/0/slot_id"]

    def test_a_past_slot_is_a_422(self, alice: Customer) -> None:
        starts = datetime.now(UTC) - timedelta(hours=1)
        past = SlotRowFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
        response = post_hold(alice, (past, 1))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines/0/slot_id"]
        assert seats_held(past) == 0

    def test_a_slot_of_an_unpublished_listing_is_a_422(self, alice: Customer) -> None:
        hidden = SlotRowFactory(listing__is_published=False)
        response = post_hold(alice, (hidden, 1))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines/0/slot_id"]
        assert seats_held(hidden) == 0

    @pytest.mark.parametrize("seats", [0, 11, -1])
    def test_seats_out_of_range_is_a_422(self, alice: Customer, slot: Any, seats: int) -> None:
        response = post_hold(alice, (slot, seats))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines/0/seats"]
        assert seats_held(slot) == 0

    def test_more_than_five_lines_is_a_422(self, alice: Customer) -> None:
        slots = SlotRowFactory.create_batch(6)
        response = post_hold(alice, *((s, 1) for s in slots))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines"]
        assert sum(seats_held(s) for s in slots) == 0

    def test_five_lines_are_fine(self, alice: Customer) -> None:
        slots = SlotRowFactory.create_batch(5)

        assert post_hold(alice, *((s, 1) for s in slots)).status_code == 201

    def test_no_lines_is_a_422(self, alice: Customer) -> None:
        problem = assert_problem(post_hold(alice), 422, "invalid-request")
        assert pointers(problem) == ["#/lines"]

    def test_the_same_slot_twice_is_a_422(self, alice: Customer, slot: Any) -> None:
        response = post_hold(alice, (slot, 1), (slot, 2))

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/lines/1/slot_id"]
        assert seats_held(slot) == 0

    def test_mixed_currencies_are_a_422(self, alice: Customer) -> None:
        euros = SlotRowFactory()
        pounds = SlotRowFactory(listing__currency="GBP")
        problem = assert_problem(post_hold(alice, (euros, 1), (pounds, 1)), 422, "invalid-request")
        assert pointers(problem) == ["#/lines"]

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ({}, "#/lines"),
            ({"lines": "two seats please"}, "#/lines"),
            ({"lines": [{"slot_id": "not-a-uuid", "seats": 1}]}, "#/lines/0/slot_id"),
            ({"lines": [{"slot_id": str(UUID(int=1)), "seats": "many"}]}, "#/lines/0/seats"),
            ({"lines": [{"slot_id": str(UUID(int=1)), "seats": "2"}]}, "#/lines/0/seats"),
            ({"lines": [{"slot_id": 1, "seats": 2}]}, "#/lines/0/slot_id"),
            ({"lines": [{"seats": 1}]}, "#/lines/0/slot_id"),
        ],
    )
    def test_a_malformed_body_is_a_400(
        self, alice: Customer, body: dict[str, Any], pointer: str
    ) -> None:
        response = alice.client.post(BOOKINGS, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert pointer in pointers(problem)

    def test_invalid_json_is_a_400(self, alice: Customer) -> None:
        response = alice.client.post(BOOKINGS, "{not json", content_type="application/json")

        assert_problem(response, 400, "parse-error")

    def test_without_a_token_is_a_401(self, slot: Any) -> None:
        response = APIClient().post(BOOKINGS, hold_body((slot, 1)), format="json")

        assert_problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"] == "Token"
        assert seats_held(slot) == 0

    def test_with_a_bad_token_is_a_401(self, slot: Any) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
        response = client.post(BOOKINGS, hold_body((slot, 1)), format="json")

        assert_problem(response, 401, "authentication-failed")


# ---------------------------------------------------------------- read and list


class TestRead:
    def test_the_owner_reads_the_booking(self, alice: Customer, slot: Any) -> None:
        held = post_hold(alice, (slot, 2)).json()
        response = alice.client.get(f"{BOOKINGS}{held['reference']}/")

        assert response.status_code == 200
        assert response.json() == held

    def test_someone_elses_booking_is_not_found(
        self, alice: Customer, bob: Customer, slot: Any
    ) -> None:
        reference = post_hold(alice, (slot, 2)).json()["reference"]
        response = bob.client.get(f"{BOOKINGS}{reference}/")

        assert_problem(response, 404, "not-found")

    def test_an_unknown_reference_is_not_found(self, alice: Customer) -> None:
        assert_problem(alice.client.get(f"{BOOKINGS}PS-AAAAAA/"), 404, "not-found")

    def test_without_a_token_is_a_401(self, alice: Customer, slot: Any) -> None:
        reference = post_hold(alice, (slot, 2)).json()["reference"]

        assert_problem(APIClient().get(f"{BOOKINGS}{reference}/"), 401, "not-authenticated")


class TestList:
    def test_own_bookings_only_newest_first_paginated(self, alice: Customer, bob: Customer) -> None:
        slot = SlotRowFactory(capacity=50)
        mine = [post_hold(alice, (slot, 1)).json()["reference"] for _ in range(3)]
        post_hold(bob, (slot, 1))

        first = alice.client.get(BOOKINGS, {"page_size": 2}).json()
        assert first["count"] == 3
        assert first["previous"] is None
        assert "page=2" in first["next"]
        assert [b["reference"] for b in first["results"]] == [mine[2], mine[1]]

        second = alice.client.get(first["next"]).json()
        assert second["count"] == 3
        assert second["next"] is None
        assert second["previous"] is not None
        assert [b["reference"] for b in second["results"]] == [mine[0]]
        assert second["results"][0] == alice.client.get(f"{BOOKINGS}{mine[0]}/").json()

    def test_an_empty_list(self, alice: Customer) -> None:
        response = alice.client.get(BOOKINGS)

        assert response.status_code == 200
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}

    @pytest.mark.parametrize("query", [{"page": 0}, {"page_size": 0}, {"page_size": 1000}])
    def test_bad_page_parameters_are_a_400(self, alice: Customer, query: dict[str, int]) -> None:
        problem = assert_problem(alice.client.get(BOOKINGS, query), 400, "invalid-parameters")
        assert [error["parameter"] for error in problem["errors"]] == list(query)

    def test_without_a_token_is_a_401(self) -> None:
        assert_problem(APIClient().get(BOOKINGS), 401, "not-authenticated")


# ---------------------------------------------------------------- cancel


class TestCancel:
    def test_a_held_booking_is_cancelled_without_refund(
        self, alice: Customer, slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        reference = post_hold(alice, (slot, 3)).json()["reference"]
        response = alice.client.post(f"{BOOKINGS}{reference}/cancel/")

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["reference"] == reference
        assert body["status"] == "cancelled"
        assert "refund" not in body
        assert seats_held(slot) == 0
        assert gateway.refunds == {}
        assert alice.client.get(f"{BOOKINGS}{reference}/").json()["status"] == "cancelled"

    def test_cancelling_twice_is_an_illegal_transition(self, alice: Customer, slot: Any) -> None:
        reference = post_hold(alice, (slot, 3)).json()["reference"]
        alice.client.post(f"{BOOKINGS}{reference}/cancel/")
        response = alice.client.post(f"{BOOKINGS}{reference}/cancel/")

        problem = assert_problem(response, 409, "illegal-transition")
        assert "cancelled" in problem["detail"]
        assert seats_held(slot) == 0

    def test_someone_elses_booking_is_not_found(
        self, alice: Customer, bob: Customer, slot: Any
    ) -> None:
        reference = post_hold(alice, (slot, 3)).json()["reference"]
        response = bob.client.post(f"{BOOKINGS}{reference}/cancel/")

        assert_problem(response, 404, "not-found")
        assert seats_held(slot) == 3
        assert booking_models.Booking.objects.get(reference=reference).status == "held"

    def test_an_unknown_booking_is_not_found(self, alice: Customer) -> None:
        assert_problem(alice.client.post(f"{BOOKINGS}PS-AAAAAA/cancel/"), 404, "not-found")

    def test_a_confirmed_booking_with_long_notice_is_refunded_in_full(
        self, alice: Customer, slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        reference = post_hold(alice, (slot, 2)).json()["reference"]
        confirm(reference)
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (0, 2)

        response = alice.client.post(f"{BOOKINGS}{reference}/cancel/")

        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "cancelled"
        assert body["refund"] == {"amount": "50.00", "currency": "EUR", "percent": 100}
        assert container.payment_gateway() is gateway
        row = booking_models.Booking.objects.get(reference=reference)
        assert gateway.refunds == {f"refund-{row.id}": ("pay_1", Money("50.00", "EUR"))}
        assert row.refund_id == f"re_refund-{row.id}"
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (0, 0)
        # The refund is part of the booking from now on.
        assert alice.client.get(f"{BOOKINGS}{reference}/").json()["refund"] == body["refund"]

    def test_a_confirmed_booking_with_a_days_notice_is_refunded_by_half(
        self, alice: Customer, gateway: InMemoryPaymentGateway
    ) -> None:
        starts = datetime.now(UTC) + timedelta(hours=30)
        soon = SlotRowFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
        reference = post_hold(alice, (soon, 2)).json()["reference"]
        confirm(reference)

        body = alice.client.post(f"{BOOKINGS}{reference}/cancel/").json()

        assert body["refund"] == {"amount": "25.00", "currency": "EUR", "percent": 50}
        assert len(gateway.refunds) == 1

    def test_a_confirmed_booking_with_short_notice_gets_nothing_back(
        self, alice: Customer, gateway: InMemoryPaymentGateway
    ) -> None:
        starts = datetime.now(UTC) + timedelta(hours=3)
        soon = SlotRowFactory(starts_at=starts, ends_at=starts + timedelta(hours=2))
        reference = post_hold(alice, (soon, 2)).json()["reference"]
        confirm(reference)

        body = alice.client.post(f"{BOOKINGS}{reference}/cancel/").json()

        assert body["status"] == "cancelled"
        assert "refund" not in body
        assert gateway.refunds == {}


# ---------------------------------------------------------------- Idempotency-Key


class TestIdempotencyKey:
    def test_a_retry_replays_the_first_response_byte_for_byte(
        self, alice: Customer, slot: Any
    ) -> None:
        first = post_hold(alice, (slot, 2), **{"Idempotency-Key": "try-1"})
        again = post_hold(alice, (slot, 2), **{"Idempotency-Key": "try-1"})

        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again["Content-Type"] == first["Content-Type"]
        assert again["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first
        assert booking_models.Booking.objects.count() == 1
        assert seats_held(slot) == 2

    def test_the_same_key_with_another_body_is_a_422(self, alice: Customer, slot: Any) -> None:
        post_hold(alice, (slot, 2), **{"Idempotency-Key": "try-1"})
        response = post_hold(alice, (slot, 3), **{"Idempotency-Key": "try-1"})

        assert_problem(response, 422, "idempotency-key-reused")
        assert booking_models.Booking.objects.count() == 1
        assert seats_held(slot) == 2

    def test_keys_belong_to_one_customer(self, alice: Customer, bob: Customer, slot: Any) -> None:
        mine = post_hold(alice, (slot, 2), **{"Idempotency-Key": "shared"})
        theirs = post_hold(bob, (slot, 2), **{"Idempotency-Key": "shared"})

        assert mine.status_code == theirs.status_code == 201
        assert "Idempotent-Replayed" not in theirs
        assert theirs.json()["reference"] != mine.json()["reference"]
        assert booking_models.Booking.objects.filter(customer=bob.user).count() == 1
        assert seats_held(slot) == 4

    def test_an_expired_key_counts_as_new(self, alice: Customer, slot: Any, settings: Any) -> None:
        settings.IDEMPOTENCY_KEY_TTL_SECONDS = 60
        first = post_hold(alice, (slot, 2), **{"Idempotency-Key": "old"})
        IdempotencyKey.objects.filter(key="old").update(
            created_at=datetime.now(UTC) - timedelta(seconds=61)
        )
        again = post_hold(alice, (slot, 2), **{"Idempotency-Key": "old"})

        assert again.status_code == 201
        assert "Idempotent-Replayed" not in again
        assert again.json()["reference"] != first.json()["reference"]
        assert booking_models.Booking.objects.count() == 2
        assert IdempotencyKey.objects.get(key="old").created_at > datetime.now(UTC) - timedelta(
            seconds=60
        )

    def test_a_key_within_its_time_to_live_still_replays(
        self, alice: Customer, slot: Any, settings: Any
    ) -> None:
        settings.IDEMPOTENCY_KEY_TTL_SECONDS = 60
        first = post_hold(alice, (slot, 2), **{"Idempotency-Key": "recent"})
        IdempotencyKey.objects.filter(key="recent").update(
            created_at=datetime.now(UTC) - timedelta(seconds=50)
        )
        again = post_hold(alice, (slot, 2), **{"Idempotency-Key": "recent"})

        assert again.content == first.content
        assert booking_models.Booking.objects.count() == 1

    def test_a_failed_request_is_not_remembered(self, alice: Customer) -> None:
        slot = SlotRowFactory(capacity=10, seats_booked=9)
        refused = post_hold(alice, (slot, 2), **{"Idempotency-Key": "k"})
        catalog_models.Slot.objects.filter(id=slot.id).update(seats_booked=0)
        retried = post_hold(alice, (slot, 2), **{"Idempotency-Key": "k"})

        assert refused.status_code == 409
        assert retried.status_code == 201
        assert "Idempotent-Replayed" not in retried

    @pytest.mark.parametrize("key", ["", "k" * 256])
    def test_a_key_of_bad_length_is_a_400(self, alice: Customer, slot: Any, key: str) -> None:
        response = post_hold(alice, (slot, 2), **{"Idempotency-Key": key})

        problem = assert_problem(response, 400, "invalid-request")
        assert pointers(problem) == ["#/Idempotency-Key"]
        assert not booking_models.Booking.objects.exists()


# ---------------------------------------------------------------- query budgets


def make_other_bookings(number: int) -> None:
    """`number` bookings by other customers, in slots of their own and in shared ones."""
    others = [make_customer() for _ in range(5)]
    roomy = SlotRowFactory(capacity=10 * number)
    for index in range(number):
        hold_directly(others[index % len(others)].id, (roomy, 1), (SlotRowFactory(), 2))
    assert booking_models.Booking.objects.count() >= number


class TestQueryBudgets:
    @pytest.mark.parametrize("lines", [1, 3, 5])
    def test_a_hold_costs_a_fixed_number_of_queries_however_full_the_database(
        self, alice: Customer, django_assert_num_queries: Any, lines: int
    ) -> None:
        slots = SlotRowFactory.create_batch(lines)
        with django_assert_num_queries(HOLD_QUERIES):
            assert post_hold(alice, *((s, 1) for s in slots)).status_code == 201

        make_other_bookings(50)
        with django_assert_num_queries(HOLD_QUERIES):
            assert post_hold(alice, *((s, 1) for s in slots)).status_code == 201

    @pytest.mark.parametrize("page_size", [1, 5, 25, 100])
    def test_the_list_costs_a_fixed_number_of_queries_whatever_the_page_size(
        self, alice: Customer, django_assert_num_queries: Any, page_size: int
    ) -> None:
        slots = SlotRowFactory.create_batch(3, capacity=100)
        for index in range(30):
            hold_directly(alice.id, *((s, 1) for s in slots[: 1 + index % 3]))
        make_other_bookings(10)

        with django_assert_num_queries(LIST_QUERIES):
            response = alice.client.get(BOOKINGS, {"page_size": page_size})

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 30
        assert len(body["results"]) == min(page_size, 30)

    def test_reading_one_booking_costs_a_fixed_number_of_queries(
        self, alice: Customer, django_assert_num_queries: Any
    ) -> None:
        slots = SlotRowFactory.create_batch(5)
        reference = hold_directly(alice.id, *((s, 1) for s in slots))
        make_other_bookings(20)

        with django_assert_num_queries(DETAIL_QUERIES):
            response = alice.client.get(f"{BOOKINGS}{reference}/")

        assert len(response.json()["lines"]) == 5
