"""Use case: a customer's own bookings, newest first."""

import attrs

from application.booking.ports import BookingRepository
from application.shared.pagination import Page, PageRequest
from domain.booking.booking import Booking


@attrs.frozen
class ListBookingsQuery:
    customer_id: int
    page: PageRequest = attrs.field(factory=PageRequest)


class ListBookings:
    def __init__(self, bookings: BookingRepository) -> None:
        self._bookings = bookings

    def __call__(self, query: ListBookingsQuery) -> Page[Booking]:
        return self._bookings.for_customer(query.customer_id, query.page)
