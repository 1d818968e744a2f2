"""The Django unit of work: one `transaction.atomic()` block per piece of work.

Leaving the block without `commit()` rolls back. After a commit the domain events of
every booking the work touched go to the message bus, but only once the outermost
transaction has committed (`transaction.on_commit`), so no handler ever reacts to a
change that was rolled back.
"""

from functools import partial
from types import TracebackType
from typing import Self

from django.db import transaction

from adapters.booking.repositories import (
    DjangoBookingRepository,
    DjangoPaymentInbox,
    DjangoSlotInventory,
)
from application.shared.messagebus import MessageBus


class DjangoUnitOfWork:
    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus

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
        try:
            if exc_type is None and self._committed:
                events = [event for booking in self.bookings.seen() for event in booking.events]
                for booking in self.bookings.seen():
                    booking.events.clear()
                transaction.on_commit(partial(self._bus.publish, events))
            elif exc_type is None:
                transaction.set_rollback(True)
        finally:
            self._atomic.__exit__(exc_type, exc, tb)
