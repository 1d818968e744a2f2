"""The booking summary reader over the ORM: the booking and its lines, two queries for
one booking (three for a page, with its count), and no payment attempts."""

from adapters.booking.mapping import summary_from_row
from adapters.booking.repositories import LINES, customer_booking, customer_page
from application.booking.summary import BookingSummary
from application.shared.pagination import Page, PageRequest


class DjangoBookingSummaryReader:
    def get(self, reference: str, customer_id: int) -> BookingSummary | None:
        row = customer_booking(reference, customer_id, (LINES,))
        return summary_from_row(row) if row else None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingSummary]:
        return customer_page(customer_id, page, summary_from_row, (LINES,))
