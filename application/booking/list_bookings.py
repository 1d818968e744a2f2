"""Use case: a customer's own bookings, newest first, as the API shows them (no
payment attempts: `BookingSummary`)."""

import attrs

from application.booking.ports import BookingSummaryReader
from application.booking.summary import BookingSummary
from application.shared.pagination import Page, PageRequest


@attrs.frozen
class ListBookingsQuery:
    customer_id: int
    page: PageRequest = attrs.field(factory=PageRequest)


class ListBookings:
    def __init__(self, summaries: BookingSummaryReader) -> None:
        self._summaries = summaries

    def __call__(self, query: ListBookingsQuery) -> Page[BookingSummary]:
        return self._summaries.for_customer(query.customer_id, query.page)
