"""Use case: a partner gets a new signing secret; the old one keeps signing for a day."""

from uuid import UUID

import attrs

from application.partners.ports import PartnerUnitOfWork
from application.shared.ports import Clock
from domain.partners import signing
from domain.partners.errors import SubscriptionNotFound
from domain.partners.subscription import Subscription


@attrs.frozen
class RotateSecretCommand:
    partner_id: int
    subscription_id: UUID


class RotateSecret:
    def __init__(self, uow: PartnerUnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def __call__(self, command: RotateSecretCommand) -> Subscription:
        with self._uow as uow:
            subscription = uow.subscriptions.get(command.subscription_id, command.partner_id)
            if subscription is None:
                raise SubscriptionNotFound(f"No subscription {command.subscription_id}.")
            subscription.rotate_secret(signing.new_secret(), self._clock.now())
            uow.subscriptions.save(subscription)
            uow.commit()
        return subscription
