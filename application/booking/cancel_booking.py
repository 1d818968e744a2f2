"""Use case: cancel a booking; a paid one is refunded as its listing's policy says.

The refund goes to the payment provider inside the unit of work, keyed by the
booking id: if the provider fails, nothing is cancelled and the customer may retry;
if the commit fails after the provider accepted, the retry gets the same refund back
from the provider instead of a second one.
"""

import attrs

from application.booking.ports import BookingUnitOfWork, PaymentGateway
from application.shared.ports import Clock
from domain.booking.booking import Booking
from domain.booking.errors import BookingNotFound


@attrs.frozen
class CancelBookingCommand:
    reference: str
    customer_id: int | None  # None: an operator cancelling on the customer's behalf


class CancelBooking:
    def __init__(self, uow: BookingUnitOfWork, payments: PaymentGateway, clock: Clock) -> None:
        self._uow = uow
        self._payments = payments
        self._clock = clock

    def __call__(self, command: CancelBookingCommand) -> Booking:
        with self._uow as uow:
            booking = uow.bookings.get_for_update(command.reference, command.customer_id)
            if booking is None:
                raise BookingNotFound(f"No booking {command.reference}.")
            slots = uow.slots.lock(booking.slot_ids)
            now = self._clock.now()
            refund = booking.cancel(slots, uow.slots.policies(booking.slot_ids), now)
            if refund is not None and booking.payment is not None:
                refund_id = self._payments.refund(
                    booking.payment.payment_id,
                    refund.amount,
                    idempotency_key=f"refund-{booking.id}",
                )
                booking.record_refund(refund_id, now)
            uow.slots.save(slots.values())
            uow.bookings.save(booking)
            uow.commit()
        return booking
