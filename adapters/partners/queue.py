"""The delivery queue: Celery, once the transaction that wrote the deliveries commits."""

from collections.abc import Iterable
from uuid import UUID

from django.db import transaction

from adapters.partners.tasks import sweep_deliveries


class CeleryDeliveryQueue:
    """After commit, one relay task for the whole transaction (run eagerly when no
    broker is set): it claims the new deliveries with whatever else is due, in a batch."""

    def enqueue_after_commit(self, delivery_ids: Iterable[UUID]) -> None:
        if list(delivery_ids):
            transaction.on_commit(sweep_deliveries.delay)

    def relay_more(self) -> None:
        sweep_deliveries.delay()
