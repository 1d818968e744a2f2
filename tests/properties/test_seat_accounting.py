"""A property: whatever bookings do to them, slots never lose or invent a seat.

Hypothesis plays random sequences of holds (valid or not), confirmations, cancellations,
expiries and clock moves over three slots, and after every step checks that each slot's
counters add up to its capacity, none is negative, and its held and booked seats are
exactly those of the held and confirmed bookings' lines.
"""

from datetime import timedelta
from uuid import uuid4

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.booking.booking import Booking, BookingStatus, SeatRequest
from domain.booking.errors import CannotCancel, CannotConfirm, CannotExpire, InvalidBookingRequest
from domain.catalog.errors import NotEnoughSeats
from tests.fakes.booking import SequentialReferences
from tests.fakes.clock import FixedClock
from tests.unit.booking.builders import HOLD_FOR, NOW, a_slot, payment_for, policies

# Small, so that holds run out of seats; starting within reach of the clock's moves.
SLOTS = [(3, timedelta(hours=2)), (5, timedelta(hours=20)), (8, timedelta(days=3))]


class SeatAccounting(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FixedClock(NOW)
        self.slots = [a_slot(capacity=capacity, starts_in=start) for capacity, start in SLOTS]
        self.by_id = {slot.id: slot for slot in self.slots}
        self.policies = policies(self.slots)
        self.references = SequentialReferences()
        self.bookings: list[Booking] = []

    @rule(
        lines=st.lists(
            st.tuples(st.integers(0, len(SLOTS) - 1), st.integers(0, 6)), min_size=1, max_size=3
        )
    )
    def hold(self, lines: list[tuple[int, int]]) -> None:
        try:
            booking = Booking.hold(
                id=uuid4(),
                reference=self.references.next_reference(),
                customer_id=1,
                requests=[SeatRequest(self.slots[index], seats) for index, seats in lines],
                now=self.clock.now(),
                hold_for=HOLD_FOR,
            )
        except (InvalidBookingRequest, NotEnoughSeats):
            return  # the invariants check that a refused hold moved no seat
        self.bookings.append(booking)

    @rule(step=st.sampled_from(["confirm", "cancel", "expire"]), index=st.integers(0, 50))
    def move(self, step: str, index: int) -> None:
        """Try one step on a booking; an illegal one must be refused and change nothing."""
        if not self.bookings:
            return
        booking = self.bookings[index % len(self.bookings)]
        status, now = booking.status, self.clock.now()
        try:
            if step == "confirm":
                booking.confirm(payment_for(booking), self.by_id, now)
            elif step == "cancel":
                booking.cancel(self.by_id, self.policies, now)
            else:
                booking.expire(self.by_id, now)
        except CannotConfirm:
            assert status is not BookingStatus.HELD
        except CannotCancel:
            assert status in (BookingStatus.CANCELLED, BookingStatus.EXPIRED)
        except CannotExpire:
            assert not (status is BookingStatus.HELD and now >= booking.expires_at)
        else:
            return
        assert booking.status is status

    @rule(minutes=st.integers(1, 6 * 60))
    def wait(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @invariant()
    def seats_add_up(self) -> None:
        for slot in self.slots:
            assert slot.seats_available + slot.seats_held + slot.seats_booked == slot.capacity
            assert min(slot.seats_available, slot.seats_held, slot.seats_booked) >= 0

    @invariant()
    def seats_follow_the_bookings(self) -> None:
        for slot in self.slots:
            taken = {BookingStatus.HELD: 0, BookingStatus.CONFIRMED: 0}
            for booking in self.bookings:
                for line in booking.lines:
                    if line.slot_id == slot.id and booking.status in taken:
                        taken[booking.status] += line.seats
            assert (slot.seats_held, slot.seats_booked) == (
                taken[BookingStatus.HELD],
                taken[BookingStatus.CONFIRMED],
            )


# Examples per run: the profile (tests/properties/conftest.py); steps per example: here.
SeatAccounting.TestCase.settings = settings(stateful_step_count=15)
test_seats_add_up_whatever_bookings_do = SeatAccounting.TestCase
