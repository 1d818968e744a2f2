"""Use case: send every delivery that is due (retries, and anything a queue missed).

Celery beat runs it every 30 seconds. Several workers may sweep at once: each
delivery is claimed with a lock the others skip.
"""

import attrs

from application.partners.deliver_webhook import DeliverWebhook
from application.partners.ports import PartnerUnitOfWork
from application.shared.ports import Clock


@attrs.frozen
class SweepResult:
    attempted: int


class SweepDeliveries:
    def __init__(self, uow: PartnerUnitOfWork, deliver: DeliverWebhook, clock: Clock) -> None:
        self._uow = uow
        self._deliver = deliver
        self._clock = clock

    def __call__(self, limit: int = 500) -> SweepResult:
        with self._uow as uow:
            due = uow.deliveries.due_ids(self._clock.now(), limit)
        attempted = sum(1 for delivery_id in due if self._deliver(delivery_id) is not None)
        return SweepResult(attempted)
