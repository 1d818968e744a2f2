"""The booking reader over the ORM, for the API and the storefront alike: one query for
the booking (with where its payment stands, as two subqueries) and one for its lines
with their slots and listings joined in, however many lines it has; a page adds one
for its count."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from adapters.booking import models
from adapters.booking.mapping import lines_from_rows, refund_from_row
from application.booking.queries import BookedLine, BookingDetails
from application.shared.pagination import Page, PageRequest
from domain.booking.booking import BookingStatus
from domain.booking.payments import PaymentStatus

LINES_WITH_WHAT_THEY_BOOKED = Prefetch(
    "lines", queryset=models.BookingLine.objects.select_related("slot__listing").order_by("id")
)
_ATTEMPTS = models.BookingPayment.objects.filter(booking=OuterRef("pk"))


def _bookings() -> QuerySet[models.Booking]:
    return models.Booking.objects.prefetch_related(LINES_WITH_WHAT_THEY_BOOKED).annotate(
        awaiting_payment=Exists(_ATTEMPTS.filter(status=PaymentStatus.PENDING.value)),
        latest_attempt=Subquery(_ATTEMPTS.order_by("-created_at", "-id").values("status")[:1]),
    )


def details_from_row(row: models.Booking) -> BookingDetails:
    line_rows = list(row.lines.all())
    return BookingDetails(
        reference=row.reference,
        status=BookingStatus(row.status),
        lines=tuple(
            BookedLine(
                line,
                line_row.slot.listing.title,
                line_row.slot.listing.location,
                line_row.slot.starts_at,
                line_row.slot.ends_at,
            )
            for line, line_row in zip(lines_from_rows(row, line_rows), line_rows, strict=True)
        ),
        created_at=row.created_at,
        expires_at=row.expires_at,
        refund=refund_from_row(row),
        awaiting_payment=row.awaiting_payment,
        payment_declined=row.latest_attempt == PaymentStatus.FAILED.value,
    )


class DjangoBookingReader:
    def get(self, reference: str, customer_id: int) -> BookingDetails | None:
        row = _bookings().filter(reference=reference, customer_id=customer_id).first()
        return details_from_row(row) if row else None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingDetails]:
        rows = models.Booking.objects.filter(customer_id=customer_id)
        window = _bookings().filter(customer_id=customer_id).order_by("-created_at", "-id")
        items = [details_from_row(row) for row in window[page.offset : page.offset + page.size]]
        return Page(items, rows.count(), page)
