"""One contract, two implementations of the API's read side: the booking summary
reader in memory and over the Django ORM return each booking as the aggregate holds
it, less its payment attempts, which no API answer shows.

The backends are the booking adapters' contract's: the reader reads what their units
of work stored.
"""

from uuid import uuid4

import pytest

from application.booking.summary import summary_of
from application.shared.pagination import PageRequest
from domain.booking.booking import Booking, BookingLine, BookingStatus
from domain.booking.refunds import Refund
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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    return backend_for(request)


def test_a_booking_reads_back_as_the_aggregate_holds_it(backend: Backend) -> None:
    customer = backend.customer()
    walk, tiles = (backend.slot(backend.listing()) for _ in range(2))
    booking = Booking(
        id=uuid4(),
        reference="PS-7K3F9Q",
        customer_id=customer,
        # The later line first: the lines keep the order they were given in.
        lines=(
            BookingLine(tiles, 1, Money("40.00", "EUR")),
            BookingLine(walk, 2, Money("25.00", "EUR")),
        ),
        status=BookingStatus.CANCELLED,
        created_at=NOW,
        expires_at=NOW + HOLD_FOR,
        refund=Refund(Money("45.00", "EUR"), 50, "re_1"),
        attempts=[an_attempt("pay_1", amount="90.00")],
    )
    with backend.uow() as uow:
        uow.bookings.add(booking)
        uow.commit()

    summary = backend.summaries().get("PS-7K3F9Q", customer)

    assert summary == summary_of(booking)
    assert summary is not None
    assert summary.total == Money("90.00", "EUR")


def test_someone_elses_or_an_unknown_booking_is_none(backend: Backend) -> None:
    owner, stranger = backend.customer(), backend.customer()
    booking = a_booking(backend, owner, backend.slot(backend.listing()))

    reader = backend.summaries()

    assert reader.get(booking.reference, stranger) is None
    assert reader.get("PS-ZZZZZZ", owner) is None


def test_for_customer_pages_as_the_repository_does(backend: Backend) -> None:
    customer, other = backend.customer(), backend.customer()
    slot = backend.slot(backend.listing())
    for minutes in (0, 1, 2, 1):
        a_booking(backend, customer, slot, created_at=NOW.replace(minute=minutes))
    a_booking(backend, other, slot, created_at=NOW.replace(minute=9))
    reader = backend.summaries()

    pages = [reader.for_customer(customer, PageRequest(n, 3)) for n in (1, 2, 3)]
    with backend.uow() as uow:
        expected = [uow.bookings.for_customer(customer, PageRequest(n, 3)) for n in (1, 2, 3)]

    assert [list(page.items) for page in pages] == [
        [summary_of(booking) for booking in page.items] for page in expected
    ]
    assert [(page.total, page.has_next) for page in pages] == [(4, True), (4, False), (4, False)]


def test_for_customer_of_someone_without_bookings_is_empty(backend: Backend) -> None:
    a_booking(backend, backend.customer(), backend.slot(backend.listing()))

    page = backend.summaries().for_customer(backend.customer(), PageRequest())

    assert (list(page.items), page.total) == ([], 0)
