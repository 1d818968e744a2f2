"""Use case: hold seats in one or more slots for a customer, for a limited time."""

from datetime import timedelta
from uuid import UUID, uuid4

import attrs

from application.booking.ports import BookingUnitOfWork, DuplicateReference, ReferenceGenerator
from application.shared.ports import Clock
from domain.booking.booking import Booking, SeatRequest, check_line_count, unknown_slot
from domain.booking.errors import InvalidBookingRequest


@attrs.frozen
class HoldLine:
    slot_id: UUID
    seats: int


@attrs.frozen
class HoldSeatsCommand:
    customer_id: int
    lines: tuple[HoldLine, ...]


# Tries at a free reference: with 27^6 references a second clash in a row is all but
# impossible; the last try lets the error through.
REFERENCE_DRAWS = 5


class HoldSeats:
    def __init__(
        self,
        uow: BookingUnitOfWork,
        clock: Clock,
        references: ReferenceGenerator,
        hold_for: timedelta,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._references = references
        self._hold_for = hold_for

    def __call__(self, command: HoldSeatsCommand) -> Booking:
        check_line_count(len(command.lines))  # the domain's rule, before locking anything
        with self._uow as uow:
            slots = uow.slots.lock(line.slot_id for line in command.lines)
            unknown = [
                unknown_slot(index)
                for index, line in enumerate(command.lines)
                if line.slot_id not in slots
            ]
            if unknown:
                raise InvalidBookingRequest("Some slots cannot be booked.", *unknown)
            booking = Booking.hold(
                id=uuid4(),
                reference=self._references.next_reference(),
                customer_id=command.customer_id,
                requests=[SeatRequest(slots[line.slot_id], line.seats) for line in command.lines],
                now=self._clock.now(),
                hold_for=self._hold_for,
            )
            uow.slots.save(slots.values())
            self._add(uow, booking)
            uow.commit()
        return booking

    def _add(self, uow: BookingUnitOfWork, booking: Booking) -> None:
        """Store the booking, drawing a new reference while the one drawn is taken."""
        for _ in range(REFERENCE_DRAWS - 1):
            try:
                uow.bookings.add(booking)
                return
            except DuplicateReference:
                booking.renumber(self._references.next_reference())
        uow.bookings.add(booking)
