"""Reading, listing and cancelling bookings; customers see only their own."""

import pytest

from before.bookings.models import Booking
from before.conftest import hold

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"


def test_the_owner_reads_the_booking_as_it_was_returned(customer, slot):
    held = hold(customer, (slot, 2)).json()

    response = customer.get(f"{BOOKINGS}{held['reference']}/")

    assert response.status_code == 200
    assert response.json() == held


def test_someone_elses_booking_is_as_missing_as_none(customer, other_customer, held):
    for path in (f"{BOOKINGS}{held.reference}/", f"{BOOKINGS}PS-AAAAAA/"):
        response = other_customer.get(path)
        assert response.status_code == 404
        assert response.json()["type"] == "/problems/not-found"
    assert other_customer.post(f"{BOOKINGS}{held.reference}/cancel/").status_code == 404
    held.refresh_from_db()
    assert held.status == Booking.Status.HELD


def test_the_list_shows_own_bookings_newest_first(customer, other_customer, make_slot):
    slot = make_slot(capacity=50)
    mine = [hold(customer, (slot, 1)).json()["reference"] for _ in range(3)]
    hold(other_customer, (slot, 1))

    first = customer.get(BOOKINGS, {"page_size": 2}).json()
    second = customer.get(first["next"]).json()

    assert first["count"] == 3
    assert [b["reference"] for b in first["results"] + second["results"]] == mine[::-1]
    assert second["next"] is None


def test_the_list_costs_the_same_queries_however_many_bookings(
    customer, make_slot, django_assert_max_num_queries
):
    slots = [make_slot(capacity=50) for _ in range(3)]
    for index in range(12):
        hold(customer, *((s, 1) for s in slots[: 1 + index % 3]))

    # token, count, page, lines
    with django_assert_max_num_queries(4):
        assert len(customer.get(BOOKINGS, {"page_size": 10}).json()["results"]) == 10


def test_cancelling_a_held_booking_gives_the_seats_back_without_a_refund(customer, slot, held):
    response = customer.post(f"{BOOKINGS}{held.reference}/cancel/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "cancelled"
    assert "refund" not in body
    slot.refresh_from_db()
    assert (slot.seats_held, slot.seats_booked) == (0, 0)


def test_cancelling_twice_is_a_409(customer, held):
    customer.post(f"{BOOKINGS}{held.reference}/cancel/")

    response = customer.post(f"{BOOKINGS}{held.reference}/cancel/")

    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "/problems/illegal-transition"
    assert body["detail"] == f"Cannot cancel booking {held.reference}: it is cancelled."
