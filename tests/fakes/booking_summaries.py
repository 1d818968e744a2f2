"""The booking summary reader over the in-memory repository: each booking as the
aggregate holds it, less its attempts (tests/contract holds it to the Django reader)."""

from application.booking.summary import BookingSummary, summary_of
from application.shared.pagination import Page, PageRequest
from tests.fakes.booking import InMemoryBookingRepository


class InMemoryBookingSummaryReader:
    def __init__(self, bookings: InMemoryBookingRepository) -> None:
        self._bookings = bookings

    def get(self, reference: str, customer_id: int) -> BookingSummary | None:
        booking = self._bookings.get(reference, customer_id)
        return summary_of(booking) if booking is not None else None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingSummary]:
        found = self._bookings.for_customer(customer_id, page)
        return Page([summary_of(booking) for booking in found.items], found.total, page)
