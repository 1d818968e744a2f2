"""Errors of the catalogue, in the shop's words."""

from domain.shared.errors import Conflict, DomainError, NotFound


class ListingNotFound(NotFound):
    """No published listing has this id."""


class SlotNotFound(NotFound):
    """No slot has this id."""


class InvalidListing(DomainError):
    """A listing that would break the catalogue's rules."""


class InvalidSlot(DomainError):
    """A slot that would break the catalogue's rules."""


class InvalidPolicy(DomainError):
    """A cancellation policy whose tiers make no sense."""


class NotEnoughSeats(Conflict):
    """Fewer seats are left in the slot than were asked for."""

    def __init__(self, slot_id: object, requested: int, available: int) -> None:
        super().__init__(f"Only {available} seat(s) left in slot {slot_id}; {requested} requested.")
        self.slot_id = slot_id
        self.requested = requested
        self.available = available


class SeatAccountingError(Exception):
    """Seats were released or committed that were never held or booked.

    A bug, not a user error, so deliberately not a DomainError: it is never translated
    into a 4xx answer but fails loudly (500, logged) and rolls the work back."""
