"""What the API shows of a booking: the aggregate less its payment attempts.

The attempts serve the aggregate's own steps (checkout, provider events), and no API
answer shows them; loading them cost each read a query. The read side
(`BookingSummaryReader`) maps the rows straight to this instead.
"""

from datetime import datetime

import attrs

from domain.booking.booking import Booking, BookingLine, BookingStatus
from domain.booking.refunds import Refund
from domain.shared.money import Money


@attrs.frozen
class BookingSummary:
    reference: str
    status: BookingStatus
    lines: tuple[BookingLine, ...]
    created_at: datetime
    expires_at: datetime
    refund: Refund | None

    @property
    def total(self) -> Money:
        """Summed as `Booking.total` sums it, so both answers show the same figure."""
        amounts = [line.subtotal for line in self.lines]
        return sum(amounts[1:], start=amounts[0])


def summary_of(booking: Booking) -> BookingSummary:
    return BookingSummary(
        reference=booking.reference,
        status=booking.status,
        lines=booking.lines,
        created_at=booking.created_at,
        expires_at=booking.expires_at,
        refund=booking.refund,
    )
