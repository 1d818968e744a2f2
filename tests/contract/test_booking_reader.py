"""One contract, two implementations of the read side: the booking reader in memory
and over the Django ORM answer alike, each booking with every line's listing title and
place and its slot's times, in the booking's own line order, its total and where its
payment stands.

The backends are the booking adapters' contract's: the reader reads what their units
of work stored.
"""

from datetime import timedelta
from uuid import uuid4

import pytest

from application.booking.queries import BookedLine, BookingDetails
from application.shared.pagination import PageRequest
from domain.booking.booking import Booking, BookingLine, BookingStatus
from domain.shared.money import Money
from tests.contract.test_booking_adapters import (
    BACKENDS,
    HOLD_FOR,
    NOW,
    Backend,
    a_booking,
    an_attempt,
    backend_for,
)

TWO_HOURS = timedelta(hours=2)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_for(request)


def booked(line: BookingLine, title: str, location: str, starts_in: timedelta) -> BookedLine:
    """`line` beside its listing and its slot, which the backend made two hours long."""
    return BookedLine(line, title, location, NOW + starts_in, NOW + starts_in + TWO_HOURS)


def test_a_booking_reads_back_whole_with_what_each_line_booked(backend: Backend) -> None:
    customer = backend.customer()
    walk = backend.slot(
        backend.listing(title="Harbour walking tour", location="Lisbon"),
        starts_in=timedelta(days=3),
    )
    tiles = backend.slot(
        backend.listing(title="Tile painting", location="Porto"),
        starts_in=timedelta(days=5),
        price="40.00",
    )
    booking = Booking(
        id=uuid4(),
        reference="PS-7K3F9Q",
        customer_id=customer,
        # The later slot first: the lines keep the order they were given in.
        lines=(
            BookingLine(tiles, 1, Money("40.00", "EUR")),
            BookingLine(walk, 2, Money("25.00", "EUR")),
        ),
        status=BookingStatus.HELD,
        created_at=NOW,
        expires_at=NOW + HOLD_FOR,
        attempts=[an_attempt("pay_1", amount="90.00")],
    )
    with backend.uow() as uow:
        uow.bookings.add(booking)
        uow.commit()

    details = backend.reader().get("PS-7K3F9Q", customer)

    assert details == BookingDetails(
        reference="PS-7K3F9Q",
        status=BookingStatus.HELD,
        lines=(
            booked(booking.lines[0], "Tile painting", "Porto", timedelta(days=5)),
            booked(booking.lines[1], "Harbour walking tour", "Lisbon", timedelta(days=3)),
        ),
        created_at=NOW,
        expires_at=NOW + HOLD_FOR,
        refund=None,
        awaiting_payment=True,  # its one attempt is pending
        payment_declined=False,
    )
    assert details.total == booking.total == Money("90.00", "EUR")


def test_someone_elses_or_an_unknown_booking_is_none(backend: Backend) -> None:
    owner, stranger = backend.customer(), backend.customer()
    booking = a_booking(backend, owner, backend.slot(backend.listing()))

    reader = backend.reader()

    assert reader.get(booking.reference, stranger) is None
    assert reader.get("PS-ZZZZZZ", owner) is None


def test_a_booking_on_a_listing_since_unpublished_still_says_what_it_booked(
    backend: Backend,
) -> None:
    customer = backend.customer()
    slot = backend.slot(backend.listing(title="Sunset sail", published=False))
    booking = a_booking(backend, customer, slot, status=BookingStatus.CONFIRMED)

    details = backend.reader().get(booking.reference, customer)

    assert details is not None
    assert [line.listing_title for line in details.lines] == ["Sunset sail"]


def test_for_customer_pages_each_booking_described(
    backend: Backend,
) -> None:
    customer, other = backend.customer(), backend.customer()
    slots = [
        backend.slot(backend.listing(title=f"Tour {n}"), starts_in=timedelta(days=n))
        for n in (1, 2, 3)
    ]
    for minutes, slot in enumerate([*slots, slots[0]]):
        a_booking(backend, customer, slot, created_at=NOW + timedelta(minutes=minutes % 3))
    a_booking(backend, other, slots[0], created_at=NOW + timedelta(minutes=9))
    reader = backend.reader()

    pages = [reader.for_customer(customer, PageRequest(n, 3)) for n in (1, 2, 3)]

    assert [(page.total, page.has_next) for page in pages] == [(4, True), (4, False), (4, False)]
    described = [details for page in pages for details in page.items]
    titles = {f"Tour {n}": NOW + timedelta(days=n) for n in (1, 2, 3)}
    for details in described:
        (line,) = details.lines
        assert (line.starts_at, line.ends_at) == (
            titles[line.listing_title],
            titles[line.listing_title] + TWO_HOURS,
        )
        assert line.location == "Lisbon"


def test_for_customer_of_someone_without_bookings_is_empty(backend: Backend) -> None:
    a_booking(backend, backend.customer(), backend.slot(backend.listing()))

    page = backend.reader().for_customer(backend.customer(), PageRequest())

    assert (list(page.items), page.total) == ([], 0)


def test_for_customer_lists_newest_first_a_page_at_a_time(backend: Backend) -> None:
    customer, other = backend.customer(), backend.customer()
    slot = backend.slot(backend.listing())
    # Two at the same moment: the larger id comes first, as in the Django ordering.
    mine = [
        a_booking(backend, customer, slot, created_at=NOW + timedelta(minutes=n))
        for n in (0, 2, 2, 1)
    ]
    a_booking(backend, other, slot, created_at=NOW + timedelta(minutes=5))
    tied = sorted(mine[1:3], key=lambda booking: str(booking.id), reverse=True)
    newest_first = [*tied, mine[3], mine[0]]

    reader = backend.reader()
    pages = [reader.for_customer(customer, PageRequest(n, 3)) for n in (1, 2, 3)]

    assert [[booking.reference for booking in page.items] for page in pages] == [
        [booking.reference for booking in newest_first[:3]],
        [newest_first[3].reference],
        [],
    ]
    assert [page.total for page in pages] == [4, 4, 4]
    assert [page.has_next for page in pages] == [True, False, False]
    assert pages[0].items[0].total == newest_first[0].total
