"""Use case: a customer's own bookings, newest first, with what each line booked.

The question is ListBookings'; each booking in the answer carries its lines' listing
titles, places and slot times, so a page can say what was booked.
"""

from application.booking.details import BookingDetails
from application.booking.list_bookings import ListBookingsQuery
from application.booking.ports import BookingDetailsReader
from application.shared.pagination import Page


class ListBookingDetails:
    def __init__(self, details: BookingDetailsReader) -> None:
        self._details = details

    def __call__(self, query: ListBookingsQuery) -> Page[BookingDetails]:
        return self._details.for_customer(query.customer_id, query.page)
