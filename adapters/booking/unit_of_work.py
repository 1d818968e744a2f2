"""The booking context's unit of work over the ORM (the transaction itself:
adapters/transactions.py). A committed block hands the events of every booking it
touched to the handlers (`CollectsEvents`), inside the transaction, so the partner
outbox's rows commit or roll back with the booking."""

from collections.abc import Iterable

from adapters.booking.repositories import (
    DjangoBookingRepository,
    DjangoPaymentInbox,
    DjangoSlotInventory,
)
from adapters.transactions import AtomicUnitOfWork
from application.booking.unit_of_work import CollectsEvents
from domain.booking.booking import Booking


class DjangoUnitOfWork(AtomicUnitOfWork, CollectsEvents):
    def _start(self) -> None:
        self.bookings = DjangoBookingRepository()
        self.slots = DjangoSlotInventory()
        self.inbox = DjangoPaymentInbox()

    def seen_bookings(self) -> Iterable[Booking]:
        return self.bookings.seen()

    def _finish(self) -> None:
        self.handle_new_events()
