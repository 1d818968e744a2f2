"""Use case: a customer reads one of their bookings, as the API shows it (no payment
attempts: `BookingSummary`)."""

import attrs

from application.booking.ports import BookingSummaryReader
from application.booking.summary import BookingSummary
from domain.booking.errors import BookingNotFound


@attrs.frozen
class GetBookingQuery:
    reference: str
    customer_id: int


class GetBooking:
    def __init__(self, summaries: BookingSummaryReader) -> None:
        self._summaries = summaries

    def __call__(self, query: GetBookingQuery) -> BookingSummary:
        booking = self._summaries.get(query.reference, query.customer_id)
        if booking is None:
            # Someone else's booking is as invisible as a missing one.
            raise BookingNotFound(f"No booking {query.reference}.")
        return booking
