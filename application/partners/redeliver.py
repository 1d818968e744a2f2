"""Use case: a partner asks for a delivery again; same body, same `webhook-id`."""

from uuid import UUID

import attrs

from application.partners.ports import DeliveryQueue, PartnerUnitOfWork
from application.shared.ports import Clock
from domain.partners.delivery import Delivery
from domain.partners.errors import DeliveryNotFound


@attrs.frozen
class RedeliverCommand:
    partner_id: int
    delivery_id: UUID


class Redeliver:
    def __init__(self, uow: PartnerUnitOfWork, queue: DeliveryQueue, clock: Clock) -> None:
        self._uow = uow
        self._queue = queue
        self._clock = clock

    def __call__(self, command: RedeliverCommand) -> Delivery:
        with self._uow as uow:
            delivery = uow.deliveries.get_for_update(command.delivery_id, command.partner_id)
            if delivery is None:
                raise DeliveryNotFound(f"No delivery {command.delivery_id}.")
            delivery.redeliver(self._clock.now())
            uow.deliveries.save(delivery)
            self._queue.enqueue_after_commit([delivery.id])
            uow.commit()
        return delivery
