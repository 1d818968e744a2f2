"""Holding seats: the Booking shape, the booking rules and their problem details."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from before.bookings.models import Booking
from before.conftest import hold

pytestmark = pytest.mark.django_db


def problem(response, status, slug):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    return body


def pointers(body):
    return [error["pointer"] for error in body.get("errors", [])]


def seats_held(slot):
    slot.refresh_from_db()
    return slot.seats_held


def test_a_hold_returns_the_booking_and_holds_the_seats(customer, slot, settings):
    settings.HOLD_MINUTES = 20

    response = hold(customer, (slot, 2))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"reference", "status", "expires_at", "lines", "total", "created_at"}
    assert body["reference"].startswith("PS-")
    assert len(body["reference"]) == 9
    assert body["status"] == "held"
    assert body["lines"] == [
        {"slot_id": str(slot.id), "seats": 2, "unit_price": {"amount": "25.00", "currency": "EUR"}}
    ]
    assert body["total"] == {"amount": "50.00", "currency": "EUR"}
    booking = Booking.objects.get(reference=body["reference"])
    assert booking.customer == customer.user
    assert booking.expires_at - booking.created_at == timedelta(minutes=20)
    assert seats_held(slot) == 2


def test_several_lines_add_up_in_the_order_asked(customer, make_slot):
    cheap = make_slot(price=Decimal("10.50"))
    dear = make_slot(price=Decimal("99.99"))

    body = hold(customer, (cheap, 3), (dear, 1)).json()

    assert [(line["slot_id"], line["seats"]) for line in body["lines"]] == [
        (str(cheap.id), 3),
        (str(dear.id), 1),
    ]
    assert body["total"] == {"amount": "131.49", "currency": "EUR"}


def test_the_last_seats_can_be_held_then_it_is_a_409(customer, make_slot):
    slot = make_slot(seats_held=4, seats_booked=3)

    assert hold(customer, (slot, 3)).status_code == 201
    body = problem(hold(customer, (slot, 1)), 409, "not-enough-seats")

    assert body["detail"] == f"Only 0 seat(s) left in slot {slot.id}; 1 requested."
    assert seats_held(slot) == 7


def test_too_few_seats_in_one_line_holds_nothing_in_the_others(customer, make_slot):
    roomy = make_slot()
    full = make_slot(capacity=2, seats_booked=2)

    problem(hold(customer, (roomy, 2), (full, 1)), 409, "not-enough-seats")

    assert seats_held(roomy) == 0
    assert not Booking.objects.exists()


def test_an_unknown_slot_is_a_422_naming_its_line(customer, slot):
    body = problem(hold(customer, (slot, 1), (uuid4(), 1)), 422, "invalid-request")

    assert body["errors"] == [
        {"pointer": "#/lines/1/slot_id", "detail": "No bookable slot has this id."}
    ]
    assert seats_held(slot) == 0


@pytest.mark.parametrize(
    ("slot_fields", "seats", "pointer"),
    [
        ({"listing__is_published": False}, 1, "#/lines/0/slot_id"),
        ({"starts_at": timezone.now() - timedelta(hours=1)}, 1, "#/lines/0/slot_id"),
        ({}, 0, "#/lines/0/seats"),
        ({}, 11, "#/lines/0/seats"),
    ],
    ids=["unpublished", "started", "no seats", "eleven seats"],
)
def test_a_line_that_breaks_a_rule_is_a_422(customer, make_slot, slot_fields, seats, pointer):
    slot = make_slot(capacity=20, **slot_fields)

    body = problem(hold(customer, (slot, seats)), 422, "invalid-request")

    assert pointers(body) == [pointer]
    assert seats_held(slot) == 0


def test_the_same_slot_twice_is_a_422_on_the_second_line(customer, slot):
    body = problem(hold(customer, (slot, 1), (slot, 2)), 422, "invalid-request")

    assert pointers(body) == ["#/lines/1/slot_id"]


@pytest.mark.parametrize("count", [0, 6])
def test_a_booking_has_one_to_five_lines(customer, make_slot, count):
    slots = [make_slot() for _ in range(count)]

    body = problem(hold(customer, *((s, 1) for s in slots)), 422, "invalid-request")

    assert pointers(body) == ["#/lines"]


def test_slots_in_two_currencies_are_a_422(customer, make_slot):
    euros, pounds = make_slot(), make_slot(listing__currency="GBP")

    body = problem(hold(customer, (euros, 1), (pounds, 1)), 422, "invalid-request")

    assert pointers(body) == ["#/lines"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({}, "#/lines"),
        ({"lines": "two seats please"}, "#/lines"),
        ({"lines": [{"slot_id": "nope", "seats": 1}]}, "#/lines/0/slot_id"),
        ({"lines": [{"slot_id": str(uuid4()), "seats": "many"}]}, "#/lines/0/seats"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_400(customer, body, pointer):
    response = customer.post("/api/v1/bookings/", body)

    assert pointer in pointers(problem(response, 400, "invalid-request"))


def test_holding_needs_a_token(slot):
    response = hold(APIClient(), (slot, 1))

    problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert seats_held(slot) == 0


class TestIdempotencyKey:
    def test_a_retry_replays_the_first_response_byte_for_byte(self, customer, slot):
        first = hold(customer, (slot, 2), **{"Idempotency-Key": "try-1"})
        again = hold(customer, (slot, 2), **{"Idempotency-Key": "try-1"})

        assert first.status_code == again.status_code == 201
        assert again.content == first.content
        assert again["Idempotent-Replayed"] == "true"
        assert Booking.objects.count() == 1
        assert seats_held(slot) == 2

    def test_the_same_key_with_another_body_is_a_422(self, customer, slot):
        hold(customer, (slot, 2), **{"Idempotency-Key": "try-1"})

        response = hold(customer, (slot, 3), **{"Idempotency-Key": "try-1"})

        problem(response, 422, "idempotency-key-reused")
        assert seats_held(slot) == 2

    def test_keys_belong_to_one_customer(self, customer, other_customer, slot):
        mine = hold(customer, (slot, 2), **{"Idempotency-Key": "shared"})
        theirs = hold(other_customer, (slot, 2), **{"Idempotency-Key": "shared"})

        assert "Idempotent-Replayed" not in theirs
        assert theirs.json()["reference"] != mine.json()["reference"]
        assert seats_held(slot) == 4

    def test_a_refused_request_is_not_remembered(self, customer, make_slot):
        slot = make_slot(seats_booked=9)
        refused = hold(customer, (slot, 2), **{"Idempotency-Key": "k"})
        slot.seats_booked = 0
        slot.save()

        retried = hold(customer, (slot, 2), **{"Idempotency-Key": "k"})

        assert (refused.status_code, retried.status_code) == (409, 201)
        assert "Idempotent-Replayed" not in retried

    def test_an_expired_key_counts_as_new(self, customer, slot, settings):
        settings.IDEMPOTENCY_KEY_TTL_SECONDS = 0
        first = hold(customer, (slot, 1), **{"Idempotency-Key": "old"})

        again = hold(customer, (slot, 1), **{"Idempotency-Key": "old"})

        assert again.json()["reference"] != first.json()["reference"]

    @pytest.mark.parametrize("key", ["", "k" * 256])
    def test_a_key_of_bad_length_is_a_400(self, customer, slot, key):
        body = problem(
            hold(customer, (slot, 2), **{"Idempotency-Key": key}), 400, "invalid-request"
        )

        assert pointers(body) == ["#/Idempotency-Key"]
        assert not Booking.objects.exists()

    @pytest.mark.parametrize("key", ["", "x" * 256, "clé"])
    def test_a_key_not_of_1_to_255_printable_characters_is_a_400(self, customer, slot, key):
        response = hold(customer, (slot, 2), **{"Idempotency-Key": key})

        assert pointers(problem(response, 400, "invalid-request")) == ["#/Idempotency-Key"]
        assert seats_held(slot) == 0
