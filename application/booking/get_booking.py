"""Use case: a customer reads one of their bookings."""

import attrs

from application.booking.ports import BookingRepository
from domain.booking.booking import Booking
from domain.booking.errors import BookingNotFound


@attrs.frozen
class GetBookingQuery:
    reference: str
    customer_id: int


class GetBooking:
    def __init__(self, bookings: BookingRepository) -> None:
        self._bookings = bookings

    def __call__(self, query: GetBookingQuery) -> Booking:
        booking = self._bookings.get(query.reference, query.customer_id)
        if booking is None:
            # Someone else's booking is as invisible as a missing one.
            raise BookingNotFound(f"No booking {query.reference}.")
        return booking
