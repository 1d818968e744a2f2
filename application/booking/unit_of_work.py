"""The one path a booking's domain events take.

A unit of work remembers every booking it loaded or added. Just before it commits, it
takes their new events and hands them to its handlers, inside the transaction: what a
handler writes (the partner outbox's rows) commits or rolls back with the booking. The
Django unit of work and the in-memory one both inherit this, so the path is the same
in production and in the unit tests. The handlers are listed in
`application/partners/handlers.py`.
"""

from collections.abc import Callable, Iterable, Sequence
from uuid import UUID

from domain.booking.booking import Booking
from domain.shared.events import DomainEvent

# A reaction to the events of one unit of work, given the bookings they came from.
EventHandler = Callable[[list[DomainEvent], dict[UUID, Booking]], object]


class CollectsEvents:
    """The event half of a booking unit of work; `seen_bookings` says what it touched."""

    def __init__(self, handlers: Sequence[EventHandler] = ()) -> None:
        self.handlers = list(handlers)

    def seen_bookings(self) -> Iterable[Booking]:
        raise NotImplementedError

    def handle_new_events(self) -> list[DomainEvent]:
        """Run the handlers on the events raised since the last call; return them."""
        bookings = {booking.id: booking for booking in self.seen_bookings()}
        events = [event for booking in bookings.values() for event in booking.events]
        for booking in bookings.values():
            booking.events.clear()
        if events:
            for handle in self.handlers:
                handle(events, bookings)
        return events
