"""What happens to bookings, as facts other parts of the system react to."""

from uuid import UUID

import attrs

from domain.shared.events import DomainEvent
from domain.shared.money import Money


@attrs.frozen
class BookingEvent(DomainEvent):
    booking_id: UUID
    reference: str


@attrs.frozen
class BookingHeld(BookingEvent):
    pass


@attrs.frozen
class BookingConfirmed(BookingEvent):
    pass


@attrs.frozen
class BookingCancelled(BookingEvent):
    refund: Money | None


@attrs.frozen
class BookingExpired(BookingEvent):
    pass


@attrs.frozen
class RefundIssued(BookingEvent):
    amount: Money
    refund_id: str


@attrs.frozen
class PaymentFailed(BookingEvent):
    payment_id: str


@attrs.frozen
class PaymentReturned(BookingEvent):
    payment_id: str
    amount: Money
    reason: str
