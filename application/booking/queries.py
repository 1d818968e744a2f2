"""The read side of bookings: what a customer reads about their own bookings, for the
API and the storefront alike, through one port (`BookingReader`).

A booking line keeps only its slot's id, since no booking rule needs more. People do:
they look for the experience's title, its place and the slot's times beside their
seats. That is catalogue data, so the reader joins it in instead of copying it into
the aggregate; and it says where the payment stands instead of loading every attempt.
The total is the domain's (`total_of`), so every answer shows the same figure.
"""

from datetime import datetime
from typing import Protocol
from uuid import UUID

import attrs

from application.shared.pagination import Page, PageRequest
from domain.booking.booking import BookingLine, BookingStatus, total_of
from domain.booking.errors import BookingNotFound
from domain.booking.refunds import Refund
from domain.shared.money import Money


@attrs.frozen
class BookedLine:
    """A line of a booking beside the listing and the slot it booked."""

    line: BookingLine
    listing_title: str
    location: str
    starts_at: datetime
    ends_at: datetime

    @property
    def slot_id(self) -> UUID:
        return self.line.slot_id

    @property
    def seats(self) -> int:
        return self.line.seats

    @property
    def unit_price(self) -> Money:
        return self.line.unit_price


@attrs.frozen
class BookingDetails:
    reference: str
    status: BookingStatus
    lines: tuple[BookedLine, ...]
    created_at: datetime
    expires_at: datetime
    refund: Refund | None
    awaiting_payment: bool  # a payment was started and has not been settled
    payment_declined: bool  # the latest payment attempt failed

    @property
    def total(self) -> Money:
        return total_of([booked.line for booked in self.lines])


class BookingReader(Protocol):
    def get(self, reference: str, customer_id: int) -> BookingDetails | None:
        """The customer's booking; None for a missing one and for someone else's."""
        ...

    def for_customer(self, customer_id: int, page: PageRequest) -> Page[BookingDetails]:
        """The customer's bookings, newest first."""
        ...


@attrs.frozen
class GetBookingQuery:
    reference: str
    customer_id: int


@attrs.frozen
class ListBookingsQuery:
    customer_id: int
    page: PageRequest = attrs.field(factory=PageRequest)


class GetBooking:
    def __init__(self, reader: BookingReader) -> None:
        self._reader = reader

    def __call__(self, query: GetBookingQuery) -> BookingDetails:
        found = self._reader.get(query.reference, query.customer_id)
        if found is None:
            # Someone else's booking is as invisible as a missing one.
            raise BookingNotFound(f"No booking {query.reference}.")
        return found


class ListBookings:
    def __init__(self, reader: BookingReader) -> None:
        self._reader = reader

    def __call__(self, query: ListBookingsQuery) -> Page[BookingDetails]:
        return self._reader.for_customer(query.customer_id, query.page)
