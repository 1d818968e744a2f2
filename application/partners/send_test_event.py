"""Use case: a partner asks for a test event, to check its endpoint and signature check."""

from collections.abc import Mapping
from uuid import UUID, uuid4

import attrs

from application.partners.payload_options import render
from application.partners.ports import (
    DeliveryQueue,
    PartnerEvent,
    PartnerUnitOfWork,
    PayloadFormatter,
)
from application.partners.record_partner_events import new_webhook_id
from application.shared.ports import Clock
from domain.partners.delivery import Delivery
from domain.partners.errors import SubscriptionNotFound
from domain.partners.events import TEST_EVENT_TYPE


@attrs.frozen
class SendTestEventCommand:
    partner_id: int
    subscription_id: UUID


class SendTestEvent:
    def __init__(
        self,
        uow: PartnerUnitOfWork,
        formatters: Mapping[str, PayloadFormatter],
        queue: DeliveryQueue,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._formatters = formatters
        self._queue = queue
        self._clock = clock

    def __call__(self, command: SendTestEventCommand) -> Delivery:
        now = self._clock.now()
        with self._uow as uow:
            subscription = uow.subscriptions.get(command.subscription_id, command.partner_id)
            if subscription is None:
                raise SubscriptionNotFound(f"No subscription {command.subscription_id}.")
            webhook_id = new_webhook_id()
            data = {
                "message": "A test event from Portside.",
                "subscription_id": str(subscription.id),
            }
            payload = render(
                self._formatters[subscription.format],
                PartnerEvent(webhook_id, TEST_EVENT_TYPE, now, data),
                subscription.payload_options,
            )
            delivery = Delivery(
                id=uuid4(),
                webhook_id=webhook_id,
                subscription_id=subscription.id,
                event_type=TEST_EVENT_TYPE,
                content_type=payload.content_type,
                body=payload.body,
                created_at=now,
                next_attempt_at=now,
            )
            uow.deliveries.add(delivery)
            self._queue.enqueue_after_commit([delivery.id])
            uow.commit()
        return delivery
