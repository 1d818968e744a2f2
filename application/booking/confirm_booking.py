"""Use case: confirm a held booking for a payment already verified; its seats are booked.

The provider's webhook does not come through here: `HandlePaymentEvent` confirms with
the same domain rule (`Booking.confirm`) and also settles late, repeated and mismatched
payments. This is the direct path, for a caller that holds a verified payment itself;
today that is the test suites, which use it to bring a booking to confirmed.
"""

from uuid import UUID

import attrs

from application.booking.ports import BookingUnitOfWork
from application.shared.ports import Clock
from domain.booking.booking import Booking
from domain.booking.errors import BookingNotFound
from domain.booking.payments import Payment


@attrs.frozen
class ConfirmBookingCommand:
    booking_id: UUID
    payment: Payment


class ConfirmBooking:
    def __init__(self, uow: BookingUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, command: ConfirmBookingCommand) -> Booking:
        with self._uow as uow:
            booking = uow.bookings.get_by_id_for_update(command.booking_id)
            if booking is None:
                raise BookingNotFound(f"No booking {command.booking_id}.")
            slots = uow.slots.lock(booking.slot_ids)
            booking.confirm(command.payment, slots, self._clock.now())
            uow.slots.save(slots.values())
            uow.bookings.save(booking)
            uow.commit()
        return booking
