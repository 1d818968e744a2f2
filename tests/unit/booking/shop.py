"""A shop over the in-memory adapters, with every booking use case wired to it."""

from datetime import timedelta

from adapters.memory.booking import (
    InMemoryBookingRepository,
    InMemoryPaymentGateway,
    InMemoryUnitOfWork,
    SequentialReferences,
)
from adapters.memory.catalog import InMemoryListingRepository, InMemorySlotRepository
from adapters.memory.clock import FixedClock
from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.booking.confirm_booking import ConfirmBooking, ConfirmBookingCommand
from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand, ExpireHoldsResult
from application.booking.get_booking import GetBooking
from application.booking.hold_seats import HoldLine, HoldSeats, HoldSeatsCommand
from application.booking.list_bookings import ListBookings
from application.shared.messagebus import MessageBus
from domain.booking.booking import Booking
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot
from domain.shared.events import DomainEvent
from tests.unit.booking.builders import HOLD_FOR, NOW, a_listing, a_slot, payment_for


class Shop:
    """The stores, the fakes and the use cases of one test."""

    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.listings = InMemoryListingRepository()
        self.slot_store = InMemorySlotRepository()
        self.bookings = InMemoryBookingRepository()
        self.bus = MessageBus()
        self.published: list[DomainEvent] = []
        self.bus.subscribe(DomainEvent, self.published.append)
        self.uow = InMemoryUnitOfWork(self.listings, self.slot_store, self.bookings, self.bus)
        self.payments = InMemoryPaymentGateway()
        self.references = SequentialReferences()
        self.hold_seats = HoldSeats(self.uow, self.clock, self.references, HOLD_FOR)
        self.get_booking = GetBooking(self.bookings)
        self.list_bookings = ListBookings(self.bookings)
        self.confirm_booking = ConfirmBooking(self.uow, self.clock)
        self.cancel_booking = CancelBooking(self.uow, self.payments, self.clock)
        self.expire_holds = ExpireHolds(self.uow, self.clock)

    def listing(self, **kwargs: object) -> Listing:
        listing = a_listing(**kwargs)  # type: ignore[arg-type]
        self.listings.add(listing)
        return listing

    def slot(self, listing: Listing | None = None, **kwargs: object) -> Slot:
        slot = a_slot(listing=listing or self.listing(), **kwargs)  # type: ignore[arg-type]
        self.slot_store.add(slot)
        return slot

    def stored_slot(self, slot: Slot) -> Slot:
        """The slot as the store holds it now (a rollback replaces the stored objects)."""
        return self.slot_store.slots[slot.id]

    def stored(self, booking: Booking) -> Booking:
        return self.bookings.bookings[booking.id]

    def hold(self, *lines: tuple[Slot, int], customer_id: int = 1) -> Booking:
        command = HoldSeatsCommand(
            customer_id, tuple(HoldLine(slot.id, seats) for slot, seats in lines)
        )
        return self.hold_seats(command)

    def confirm(self, booking: Booking) -> Booking:
        return self.confirm_booking(ConfirmBookingCommand(booking.id, payment_for(booking)))

    def cancel(self, booking: Booking, customer_id: int | None = 1) -> Booking:
        return self.cancel_booking(CancelBookingCommand(booking.reference, customer_id))

    def expire(self, batch_size: int = 500) -> ExpireHoldsResult:
        return self.expire_holds(ExpireHoldsCommand(batch_size))

    def wait(self, delta: timedelta) -> None:
        self.clock.advance(delta)
