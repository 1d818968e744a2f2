"""The booking details reader over the ORM. Each line's slot and listing come joined
into the query that prefetches the lines, so describing what was booked costs no
query of its own, however many lines or bookings a page holds."""

from django.db.models import Prefetch

from adapters.booking import models
from adapters.booking.mapping import details_from_row
from adapters.booking.repositories import PAYMENTS, customer_booking, customer_page
from application.booking.details import BookingDetails
from application.shared.pagination import Page, PageRequest

LINES_WITH_WHAT_THEY_BOOKED = Prefetch(
    "lines", queryset=models.BookingLine.objects.select_related("slot__listing").order_by("id")
)
PREFETCH = (LINES_WITH_WHAT_THEY_BOOKED, PAYMENTS)  # the storefront shows the attempts


class DjangoBookingDetailsReader:
    def get(self, reference: str, customer_id: int) -> BookingDetails | None:
        row = customer_booking(reference, customer_id, PREFETCH)
        return details_from_row(row) if row else None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingDetails]:
        return customer_page(customer_id, page, details_from_row, PREFETCH)
