"""The booking details reader over the in-memory stores: the bookings joined with the
catalogue's listings and slots, as the Django reader joins the tables (tests/contract
holds both to it)."""

from application.booking.details import BookingDetails, BookingLineDetails
from application.shared.pagination import Page, PageRequest
from domain.booking.booking import Booking, BookingLine
from tests.fakes.booking import InMemoryBookingRepository
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository


class InMemoryBookingDetailsReader:
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
        booking = self._bookings.get(reference, customer_id)
        return self._described(booking) if booking is not None else None

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingDetails]:
        found = self._bookings.for_customer(customer_id, page)
        return Page([self._described(booking) for booking in found.items], found.total, page)

    def _described(self, booking: Booking) -> BookingDetails:
        return BookingDetails(booking, tuple(self._line(line) for line in booking.lines))

    def _line(self, line: BookingLine) -> BookingLineDetails:
        slot = self._slots.slots[line.slot_id]
        listing = self._listings.listings[slot.listing_id]
        return BookingLineDetails(
            line, listing.title, listing.location, slot.starts_at, slot.ends_at
        )
