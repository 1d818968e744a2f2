"""Use case: a partner ends a subscription (its delivery history goes with it)."""

from uuid import UUID

import attrs

from application.partners.ports import PartnerUnitOfWork
from domain.partners.errors import SubscriptionNotFound


@attrs.frozen
class DeleteSubscriptionCommand:
    partner_id: int
    subscription_id: UUID


class DeleteSubscription:
    def __init__(self, uow: PartnerUnitOfWork) -> None:
        self._uow = uow

    def __call__(self, command: DeleteSubscriptionCommand) -> None:
        with self._uow as uow:
            if uow.subscriptions.get(command.subscription_id, command.partner_id) is None:
                raise SubscriptionNotFound(f"No subscription {command.subscription_id}.")
            uow.subscriptions.delete(command.subscription_id)
            uow.commit()
