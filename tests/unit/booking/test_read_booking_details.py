"""Use cases: a customer reads their bookings with what each line booked (the listing's
title and place, the slot's times), one booking or a page of them, over the fakes."""

from datetime import timedelta

import attrs
import pytest

from application.booking.get_booking import GetBookingQuery
from application.booking.list_bookings import ListBookingsQuery
from application.shared.pagination import PageRequest
from domain.booking.errors import BookingNotFound
from domain.catalog.listing import Listing
from tests.factories.domain import build_listing
from tests.unit.booking.shop import Shop


def a_listing(shop: Shop, title: str, location: str = "Lisbon") -> Listing:
    listing: Listing = build_listing(title=title, location=location)
    shop.listings.add(listing)
    return listing


def test_a_customer_reads_what_each_line_of_their_booking_booked(shop: Shop) -> None:
    walk = shop.slot(a_listing(shop, "Harbour walking tour", "Lisbon"))
    tiles = shop.slot(a_listing(shop, "Tile painting", "Porto"), starts_in=timedelta(days=5))
    booking = shop.hold((tiles, 1), (walk, 2), customer_id=1)

    details = shop.get_booking_details(GetBookingQuery(booking.reference, 1))

    assert details.booking == booking
    assert [
        (item.line, item.listing_title, item.location, item.starts_at, item.ends_at)
        for item in details.lines
    ] == [
        (booking.lines[0], "Tile painting", "Porto", tiles.starts_at, tiles.ends_at),
        (booking.lines[1], "Harbour walking tour", "Lisbon", walk.starts_at, walk.ends_at),
    ]


def test_someone_elses_or_an_unknown_booking_is_not_found(shop: Shop) -> None:
    mine = shop.hold((shop.slot(), 1), customer_id=1)

    with pytest.raises(BookingNotFound):
        shop.get_booking_details(GetBookingQuery(mine.reference, 2))
    with pytest.raises(BookingNotFound):
        shop.get_booking_details(GetBookingQuery("PS-ZZZZZZ", 1))


def test_a_listing_unpublished_since_the_booking_still_names_what_was_booked(shop: Shop) -> None:
    listing = a_listing(shop, "Sunset sail")
    booking = shop.hold((shop.slot(listing), 2))
    shop.listings.add(attrs.evolve(listing, is_published=False))

    details = shop.get_booking_details(GetBookingQuery(booking.reference, 1))

    assert [item.listing_title for item in details.lines] == ["Sunset sail"]


def test_a_customer_lists_their_bookings_newest_first_each_described(shop: Shop) -> None:
    tours = [shop.slot(a_listing(shop, f"Tour {n}")) for n in range(3)]
    for slot in tours:
        shop.hold((slot, 1), customer_id=1)
        shop.hold((slot, 1), customer_id=2)
        shop.wait(timedelta(minutes=1))

    first = shop.list_booking_details(ListBookingsQuery(1, PageRequest(1, 2)))
    second = shop.list_booking_details(ListBookingsQuery(1, PageRequest(2, 2)))

    read = [*first.items, *second.items]
    assert [item.lines[0].listing_title for item in read] == ["Tour 2", "Tour 1", "Tour 0"]
    assert all(item.booking.customer_id == 1 for item in read)
    assert [item.lines[0].line for item in read] == [item.booking.lines[0] for item in read]
    assert (first.total, first.has_next, second.has_next) == (3, True, False)


def test_no_bookings_is_an_empty_page(shop: Shop) -> None:
    page = shop.list_booking_details(ListBookingsQuery(1))

    assert (list(page.items), page.total) == ([], 0)
