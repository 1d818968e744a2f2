"""Bring a booking to confirmed in a test: the domain's own rule (`Booking.confirm`)
applied in a unit of work, as the payment webhook applies it, without a provider in
between. Works with the in-memory unit of work and with the Django one."""

from datetime import datetime
from uuid import UUID

from application.booking.ports import BookingUnitOfWork
from domain.booking.booking import Booking
from domain.booking.payments import Payment


def confirm_in(
    uow: BookingUnitOfWork, booking_id: UUID, payment: Payment, now: datetime
) -> Booking:
    with uow:
        booking = uow.bookings.get_by_id_for_update(booking_id)
        assert booking is not None, f"no booking {booking_id}"
        slots = uow.slots.lock(booking.slot_ids)
        booking.confirm(payment, slots, now)
        uow.slots.save(slots.values())
        uow.bookings.save(booking)
        uow.commit()
    return booking
