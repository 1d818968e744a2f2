"""Use cases: a customer reads one booking, or lists theirs newest first, as the API
shows them (the aggregate less its payment attempts)."""

from datetime import timedelta

import pytest

from application.booking.get_booking import GetBookingQuery
from application.booking.list_bookings import ListBookingsQuery
from application.booking.summary import summary_of
from application.shared.pagination import PageRequest
from domain.booking.errors import BookingNotFound
from domain.shared.errors import NotFound
from tests.unit.booking.shop import Shop


def test_a_customer_reads_their_booking(shop: Shop) -> None:
    booking = shop.hold((shop.slot(), 2), customer_id=1)

    found = shop.get_booking(GetBookingQuery(booking.reference, 1))

    assert found == summary_of(booking)


def test_someone_elses_booking_is_not_found(shop: Shop) -> None:
    booking = shop.hold((shop.slot(), 2), customer_id=1)

    with pytest.raises(BookingNotFound) as raised:
        shop.get_booking(GetBookingQuery(booking.reference, 2))

    assert isinstance(raised.value, NotFound)


def test_an_unknown_reference_is_not_found(shop: Shop) -> None:
    with pytest.raises(BookingNotFound):
        shop.get_booking(GetBookingQuery("PS-ZZZZZZ", 1))


def test_a_customer_lists_their_bookings_newest_first(shop: Shop) -> None:
    slot = shop.slot()
    mine = []
    for _ in range(3):
        mine.append(shop.hold((slot, 1), customer_id=1))
        shop.hold((slot, 1), customer_id=2)
        shop.wait(timedelta(minutes=1))

    page = shop.list_bookings(ListBookingsQuery(1))

    assert [booking.reference for booking in page.items] == [b.reference for b in reversed(mine)]
    assert page.total == 3
    assert not page.has_next


def test_the_list_is_paginated(shop: Shop) -> None:
    slot = shop.slot()
    made = []
    for _ in range(3):
        made.append(shop.hold((slot, 1)))
        shop.wait(timedelta(seconds=1))

    first = shop.list_bookings(ListBookingsQuery(1, PageRequest(1, 2)))
    second = shop.list_bookings(ListBookingsQuery(1, PageRequest(2, 2)))

    assert [*first.items, *second.items] == [summary_of(b) for b in reversed(made)]
    assert (first.total, first.has_next, second.has_next, second.has_previous) == (
        3,
        True,
        False,
        True,
    )


def test_no_bookings_is_an_empty_page(shop: Shop) -> None:
    page = shop.list_bookings(ListBookingsQuery(1))

    assert (list(page.items), page.total) == ([], 0)
