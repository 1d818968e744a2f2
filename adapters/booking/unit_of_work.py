"""The booking context's unit of work (the transaction itself: adapters/transactions.py).

A committed block first hands the events of every booking it touched to
`before_commit` (the partner outbox), inside the transaction. Then the events go to
the message bus, but only once the outermost transaction has committed
(`transaction.on_commit`), so no handler ever reacts to a change that was rolled back.
"""

from collections.abc import Callable
from functools import partial
from uuid import UUID

from django.db import transaction

from adapters.booking.repositories import (
    DjangoBookingRepository,
    DjangoPaymentInbox,
    DjangoSlotInventory,
)
from adapters.transactions import AtomicUnitOfWork
from application.shared.messagebus import MessageBus
from domain.booking.booking import Booking
from domain.shared.events import DomainEvent

BeforeCommit = Callable[[list[DomainEvent], dict[UUID, Booking]], object]


class DjangoUnitOfWork(AtomicUnitOfWork):
    def __init__(self, bus: MessageBus, before_commit: BeforeCommit | None = None) -> None:
        self._bus = bus
        # Work that must commit or roll back with the change itself: the partner outbox.
        self._before_commit = before_commit

    def _start(self) -> None:
        self.bookings = DjangoBookingRepository()
        self.slots = DjangoSlotInventory()
        self.inbox = DjangoPaymentInbox()

    def _finish(self) -> None:
        bookings = {booking.id: booking for booking in self.bookings.seen()}
        events = [event for booking in bookings.values() for event in booking.events]
        for booking in bookings.values():
            booking.events.clear()
        if self._before_commit is not None and events:
            self._before_commit(events, bookings)
        transaction.on_commit(partial(self._bus.publish, events))
