"""The Django unit of work: one `transaction.atomic()` block per piece of work.

Leaving the block without `commit()` rolls back. A committed block first hands its
events to `before_commit` (the partner outbox), inside the transaction. Then the events of
every booking the work touched go to the message bus, but only once the outermost
transaction has committed (`transaction.on_commit`), so no handler ever reacts to a
change that was rolled back.
"""

from collections.abc import Callable
from functools import partial
from types import TracebackType
from typing import Self
from uuid import UUID

from django.db import transaction

from adapters.booking.repositories import (
    DjangoBookingRepository,
    DjangoPaymentInbox,
    DjangoSlotInventory,
)
from application.shared.messagebus import MessageBus
from domain.booking.booking import Booking
from domain.shared.events import DomainEvent

BeforeCommit = Callable[[list[DomainEvent], dict[UUID, Booking]], object]


class DjangoUnitOfWork:
    def __init__(self, bus: MessageBus, before_commit: BeforeCommit | None = None) -> None:
        self._bus = bus
        # Work that must commit or roll back with the change itself: the partner outbox.
        self._before_commit = before_commit

    def __enter__(self) -> Self:
        self.bookings = DjangoBookingRepository()
        self.slots = DjangoSlotInventory()
        self.inbox = DjangoPaymentInbox()
        self._committed = False
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        return self

    def commit(self) -> None:
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None and self._committed:
            try:
                self._finish()
            except BaseException as error:  # the outbox failed: nothing is kept
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        elif exc_type is None:
            transaction.set_rollback(True)
        self._atomic.__exit__(exc_type, exc, tb)

    def _finish(self) -> None:
        bookings = {booking.id: booking for booking in self.bookings.seen()}
        events = [event for booking in bookings.values() for event in booking.events]
        for booking in bookings.values():
            booking.events.clear()
        if self._before_commit is not None and events:
            self._before_commit(events, bookings)
        transaction.on_commit(partial(self._bus.publish, events))
