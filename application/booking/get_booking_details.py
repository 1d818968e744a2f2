"""Use case: a customer reads one of their bookings with what each line booked.

The question is GetBooking's; the answer adds the listing's title and place and the
slot's times to each line, for pages that show a booking to a person.
"""

from application.booking.details import BookingDetails
from application.booking.get_booking import GetBookingQuery
from application.booking.ports import BookingDetailsReader
from domain.booking.errors import BookingNotFound


class GetBookingDetails:
    def __init__(self, details: BookingDetailsReader) -> None:
        self._details = details

    def __call__(self, query: GetBookingQuery) -> BookingDetails:
        found = self._details.get(query.reference, query.customer_id)
        if found is None:
            # Someone else's booking is as invisible as a missing one.
            raise BookingNotFound(f"No booking {query.reference}.")
        return found
