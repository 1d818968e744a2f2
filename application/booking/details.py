"""What a customer reads about a booking: the booking itself, and what each line booked.

A booking line keeps only its slot's id, since no booking rule needs more. People do:
they look for the experience's title, its place and the slot's times beside their
seats. That is catalogue data, so the read side joins it in (`BookingDetailsReader`)
instead of copying it into the aggregate.
"""

from datetime import datetime

import attrs

from domain.booking.booking import Booking, BookingLine


@attrs.frozen
class BookingLineDetails:
    """A line of a booking beside the listing and the slot it booked."""

    line: BookingLine
    listing_title: str
    location: str
    starts_at: datetime
    ends_at: datetime


@attrs.frozen
class BookingDetails:
    """A booking with each of its lines described, in the booking's own order."""

    booking: Booking
    lines: tuple[BookingLineDetails, ...]
