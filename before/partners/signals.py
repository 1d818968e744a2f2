"""Booking changes become partner webhooks: the receiver of `booking_status_changed`
(connected in `PartnersConfig.ready()`).

It runs inside the booking's transaction: one delivery per subscription that wants the
event, written with the booking change (a rolled-back change leaves none). They are sent
right after the commit, within the same request; what fails is left to
`tasks.retry_deliveries`.
"""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from before.partners import webhooks
from before.partners.models import Delivery, Subscription
from before.partners.validators import EVENT_TYPES


def notify_partners(
    sender: Any, booking: Any, old_status: str | None, new_status: str, **kwargs: Any
) -> None:
    event_type = f"booking.{new_status}"
    if event_type not in EVENT_TYPES:
        return
    subscriptions = Subscription.objects.wanting(event_type)
    if not subscriptions:
        return
    payload = json.dumps(booking.webhook_data(), cls=DjangoJSONEncoder, ensure_ascii=False)
    deliveries = [
        Delivery.objects.create(
            subscription=subscription,
            event_type=event_type,
            booking_reference=booking.reference,
            payload=payload,
        )
        for subscription in subscriptions
    ]
    webhooks.send_after_commit(deliveries)
