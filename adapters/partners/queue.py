"""The delivery queue: Celery, once the transaction that wrote the deliveries commits."""

from collections.abc import Iterable
from functools import partial
from uuid import UUID

from django.db import transaction

from adapters.partners.tasks import deliver_webhook


class CeleryDeliveryQueue:
    """After commit, a Celery task per delivery (run eagerly when no broker is set)."""

    def enqueue_after_commit(self, delivery_ids: Iterable[UUID]) -> None:
        for delivery_id in delivery_ids:
            transaction.on_commit(partial(deliver_webhook.delay, str(delivery_id)))
