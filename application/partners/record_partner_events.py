"""Use case: the outbox. Turn committed-to-be booking events into delivery rows.

Runs inside the booking's own unit of work, before it commits (the booking unit of
work calls it), so a delivery exists exactly when the change it reports exists: a
rolled-back booking writes none. Workers send them once the transaction commits.
"""

import logging
from collections.abc import Callable, Mapping, Sequence
from uuid import UUID, uuid4

from application.partners.payload_options import render
from application.partners.payloads import booking_data
from application.partners.ports import (
    DeliveryQueue,
    DeliveryRepository,
    PartnerEvent,
    PayloadFormatter,
    SubscriptionRepository,
)
from application.shared.ports import Clock
from domain.booking.booking import Booking
from domain.booking.events import BookingEvent
from domain.partners.delivery import Delivery
from domain.partners.events import EVENT_TYPES
from domain.shared.events import DomainEvent

logger = logging.getLogger(__name__)


def new_webhook_id() -> str:
    return f"msg_{uuid4().hex}"


class RecordPartnerEvents:
    def __init__(
        self,
        subscriptions: SubscriptionRepository,
        deliveries: DeliveryRepository,
        formatters: Mapping[str, PayloadFormatter],
        queue: DeliveryQueue,
        clock: Clock,
        webhook_ids: Callable[[], str] = new_webhook_id,
    ) -> None:
        self._subscriptions = subscriptions
        self._deliveries = deliveries
        self._formatters = formatters
        self._queue = queue
        self._clock = clock
        self._webhook_ids = webhook_ids

    def __call__(
        self, events: Sequence[DomainEvent], bookings: Mapping[UUID, Booking]
    ) -> list[UUID]:
        created: list[UUID] = []
        for event in events:
            if not isinstance(event, BookingEvent) or type(event) not in EVENT_TYPES:
                continue
            event_type = EVENT_TYPES[type(event)]
            data = booking_data(bookings[event.booking_id])
            for subscription in self._subscriptions.active_for(event_type):
                formatter = self._formatters.get(subscription.format)
                if formatter is None:  # a misconfigured row must not stop the booking
                    logger.error(
                        "Subscription %s has no format %r.", subscription.id, subscription.format
                    )
                    continue
                webhook_id = self._webhook_ids()
                payload = render(
                    formatter,
                    PartnerEvent(webhook_id, event_type, event.occurred_at, data),
                    subscription.payload_options,
                )
                delivery = Delivery(
                    id=uuid4(),
                    webhook_id=webhook_id,
                    subscription_id=subscription.id,
                    event_type=event_type,
                    content_type=payload.content_type,
                    body=payload.body,
                    created_at=self._clock.now(),
                    next_attempt_at=self._clock.now(),
                )
                self._deliveries.add(delivery)
                created.append(delivery.id)
        self._queue.enqueue_after_commit(created)
        return created
