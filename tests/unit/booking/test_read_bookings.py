"""Use cases: a customer reads one of their bookings, or lists them, each line with
what it booked (`application/booking/queries.py`), over the in-memory reader."""

from datetime import timedelta

import attrs
import pytest

from application.booking.queries import GetBookingQuery, ListBookingsQuery
from application.shared.pagination import PageRequest
from domain.booking.errors import BookingNotFound
from domain.catalog.listing import Listing
from domain.shared.errors import NotFound
from tests.factories.domain import build_listing
from tests.unit.booking.shop import Shop


def a_listing(shop: Shop, title: str, location: str = "Lisbon") -> Listing:
    listing: Listing = build_listing(title=title, location=location)
    shop.listings.add(listing)
    return listing


def test_a_customer_reads_their_booking_each_line_with_what_it_booked(shop: Shop) -> None:
    walk = shop.slot(a_listing(shop, "Harbour walking tour", "Lisbon"))
    tiles = shop.slot(a_listing(shop, "Tile painting", "Porto"), starts_in=timedelta(days=5))
    booking = shop.hold((tiles, 1), (walk, 2), customer_id=1)

    found = shop.get_booking(GetBookingQuery(booking.reference, 1))

    assert (found.reference, found.status, found.created_at, found.expires_at) == (
        booking.reference,
        booking.status,
        booking.created_at,
        booking.expires_at,
    )
    assert found.total == booking.total  # the domain's figure, not summed again
    assert found.refund is None
    assert [
        (item.line, item.listing_title, item.location, item.starts_at, item.ends_at)
        for item in found.lines
    ] == [
        (booking.lines[0], "Tile painting", "Porto", tiles.starts_at, tiles.ends_at),
        (booking.lines[1], "Harbour walking tour", "Lisbon", walk.starts_at, walk.ends_at),
    ]


def test_it_says_where_the_payment_stands(shop: Shop) -> None:
    booking = shop.hold((shop.slot(), 2))

    def read() -> tuple[bool, bool]:
        found = shop.get_booking(GetBookingQuery(booking.reference, 1))
        return found.awaiting_payment, found.payment_declined

    assert read() == (False, False)
    started = shop.checkout(booking)
    assert read() == (True, False)
    shop.deliver(shop.failed(started.payment_id))
    assert read() == (False, True)


def test_someone_elses_booking_is_not_found(shop: Shop) -> None:
    booking = shop.hold((shop.slot(), 2), customer_id=1)

    with pytest.raises(BookingNotFound) as raised:
        shop.get_booking(GetBookingQuery(booking.reference, 2))

    assert isinstance(raised.value, NotFound)


def test_an_unknown_reference_is_not_found(shop: Shop) -> None:
    with pytest.raises(BookingNotFound):
        shop.get_booking(GetBookingQuery("PS-ZZZZZZ", 1))


def test_a_listing_unpublished_since_the_booking_still_names_what_was_booked(shop: Shop) -> None:
    listing = a_listing(shop, "Sunset sail")
    booking = shop.hold((shop.slot(listing), 2))
    shop.listings.add(attrs.evolve(listing, is_published=False))

    found = shop.get_booking(GetBookingQuery(booking.reference, 1))

    assert [item.listing_title for item in found.lines] == ["Sunset sail"]


def test_a_customer_lists_their_bookings_newest_first_each_described(shop: Shop) -> None:
    tours = [shop.slot(a_listing(shop, f"Tour {n}")) for n in range(3)]
    mine = []
    for slot in tours:
        mine.append(shop.hold((slot, 1), customer_id=1))
        shop.hold((slot, 1), customer_id=2)
        shop.wait(timedelta(minutes=1))

    first = shop.list_bookings(ListBookingsQuery(1, PageRequest(1, 2)))
    second = shop.list_bookings(ListBookingsQuery(1, PageRequest(2, 2)))

    read = [*first.items, *second.items]
    assert [item.reference for item in read] == [b.reference for b in reversed(mine)]
    assert [item.lines[0].listing_title for item in read] == ["Tour 2", "Tour 1", "Tour 0"]
    assert (first.total, first.has_next, second.has_next, second.has_previous) == (
        3,
        True,
        False,
        True,
    )


def test_no_bookings_is_an_empty_page(shop: Shop) -> None:
    page = shop.list_bookings(ListBookingsQuery(1))

    assert (list(page.items), page.total) == ([], 0)
