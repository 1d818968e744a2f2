"""A slot: one timed occurrence of a listing, with a fixed number of seats.

The slot owns its seat accounting, so `capacity == available + held + booked` holds
after every operation: seats are *held* by unpaid bookings, *committed* to booked when
paid, and *released* when a hold lapses or a booking is cancelled.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from domain.catalog.errors import InvalidSlot, NotEnoughSeats, SeatAccountingError
from domain.shared.money import Money


@attrs.define
class Slot:
    id: UUID
    listing_id: UUID
    starts_at: datetime
    ends_at: datetime
    capacity: int
    price: Money
    seats_held: int = 0
    seats_booked: int = 0
    # False once its listing is unpublished: nothing new is sold, but the bookings it
    # already has still confirm, cancel and expire.
    on_sale: bool = True

    def __attrs_post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise InvalidSlot("Slot times must carry a time zone.")
        if self.ends_at <= self.starts_at:
            raise InvalidSlot("A slot ends after it starts.")
        if self.capacity <= 0:
            raise InvalidSlot("A slot has at least one seat.")
        if self.price.is_negative:
            raise InvalidSlot("A seat cannot cost less than nothing.")
        if self.seats_held < 0 or self.seats_booked < 0:
            raise InvalidSlot("Seat counts cannot be negative.")
        if self.seats_held + self.seats_booked > self.capacity:
            raise InvalidSlot("A slot cannot hold or book more seats than it has.")

    @property
    def seats_available(self) -> int:
        return self.capacity - self.seats_held - self.seats_booked

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def hold(self, seats: int) -> None:
        """Set `seats` aside for an unpaid booking, or refuse if too few are left."""
        self._positive(seats)
        if seats > self.seats_available:
            raise NotEnoughSeats(self.id, seats, self.seats_available)
        self.seats_held += seats

    def release(self, seats: int) -> None:
        """Give held seats back: the hold lapsed or was cancelled before payment."""
        self._positive(seats)
        if seats > self.seats_held:
            raise SeatAccountingError(f"Releasing {seats} seat(s) but {self.seats_held} held.")
        self.seats_held -= seats

    def commit(self, seats: int) -> None:
        """Turn held seats into booked ones: the booking was paid."""
        self._positive(seats)
        if seats > self.seats_held:
            raise SeatAccountingError(f"Committing {seats} seat(s) but {self.seats_held} held.")
        self.seats_held -= seats
        self.seats_booked += seats

    def release_booked(self, seats: int) -> None:
        """Give booked seats back: a confirmed booking was cancelled."""
        self._positive(seats)
        if seats > self.seats_booked:
            raise SeatAccountingError(f"Releasing {seats} booked seat(s) of {self.seats_booked}.")
        self.seats_booked -= seats

    @staticmethod
    def _positive(seats: int) -> None:
        if seats <= 0:
            raise SeatAccountingError("Seat counts move in positive steps.")
