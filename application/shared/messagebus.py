"""A small message bus: domain events in, their handlers called in order.

The unit of work hands it the events of a transaction once that transaction has
committed, so a handler never reacts to a change that was rolled back.
"""

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence

from domain.shared.events import DomainEvent

logger = logging.getLogger(__name__)

Handler = Callable[[DomainEvent], None]


class MessageBus:
    def __init__(
        self, handlers: Mapping[type[DomainEvent], Sequence[Handler]] | None = None
    ) -> None:
        self._handlers = {event_type: list(found) for event_type, found in (handlers or {}).items()}

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers.setdefault(event_type, []).append(handler)

    def publish(self, events: Iterable[DomainEvent]) -> None:
        """Call every handler subscribed to each event's class or one of its bases.

        A failing handler is logged and does not stop the others: the change it
        reacts to is already committed.
        """
        for event in events:
            for event_type in type(event).__mro__:
                for handler in self._handlers.get(event_type, ()):
                    try:
                        handler(event)
                    except Exception:
                        logger.exception("Handler %r failed on %r", handler, event)
