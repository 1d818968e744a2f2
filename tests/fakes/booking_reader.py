"""The booking reader over the in-memory stores: the bookings joined with the
catalogue's listings and slots, as the Django reader joins the tables
(tests/contract/test_booking_reader.py holds both to the same answers)."""

from application.booking.queries import BookedLine, BookingDetails
from application.shared.pagination import Page, PageRequest
from domain.booking.booking import Booking, BookingLine
from domain.booking.payments import PaymentStatus
from tests.fakes.booking import InMemoryBookingRepository
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository


class InMemoryBookingReader:
    def __init__(
        self,
        bookings: InMemoryBookingRepository,
        listings: InMemoryListingRepository,
        slots: InMemorySlotRepository,
    ) -> None:
        self._bookings = bookings
        self._listings = listings
        self._slots = slots

    def get(self, reference: str, customer_id: int) -> BookingDetails | None:
        for booking in self._bookings.bookings.values():
            if booking.reference == reference and booking.customer_id == customer_id:
                return self._described(booking)
        return None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingDetails]:
        found = sorted(
            (b for b in self._bookings.bookings.values() if b.customer_id == customer_id),
            key=lambda booking: (booking.created_at, str(booking.id)),
            reverse=True,
        )
        window = found[page.offset : page.offset + page.size]
        return Page([self._described(booking) for booking in window], len(found), page)

    def _described(self, booking: Booking) -> BookingDetails:
        latest = booking.attempts[-1] if booking.attempts else None
        return BookingDetails(
            reference=booking.reference,
            status=booking.status,
            lines=tuple(self._line(line) for line in booking.lines),
            created_at=booking.created_at,
            expires_at=booking.expires_at,
            refund=booking.refund,
            awaiting_payment=booking.pending_attempt() is not None,
            payment_declined=latest is not None and latest.status is PaymentStatus.FAILED,
        )

    def _line(self, line: BookingLine) -> BookedLine:
        slot = self._slots.slots[line.slot_id]
        listing = self._listings.listings[slot.listing_id]
        return BookedLine(line, listing.title, listing.location, slot.starts_at, slot.ends_at)
