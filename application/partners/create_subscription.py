"""Use case: a partner subscribes a URL to booking events in the format and with the
payload options it chooses."""

from uuid import uuid4

import attrs

from application.partners.checks import SubscriptionChecks
from application.partners.ports import PartnerUnitOfWork
from domain.partners import signing
from domain.partners.payload_options import PayloadOptions
from domain.partners.subscription import Subscription


@attrs.frozen
class CreateSubscriptionCommand:
    partner_id: int
    url: str
    event_types: frozenset[str]
    format: str
    is_active: bool = True
    payload_options: PayloadOptions = attrs.field(factory=PayloadOptions)


class CreateSubscription:
    def __init__(self, uow: PartnerUnitOfWork, checks: SubscriptionChecks) -> None:
        self._uow = uow
        self._checks = checks

    def __call__(self, command: CreateSubscriptionCommand) -> Subscription:
        self._checks.check(url=command.url, format=command.format)
        subscription = Subscription(
            id=uuid4(),
            partner_id=command.partner_id,
            url=command.url,
            event_types=command.event_types,
            format=command.format,
            secret=signing.new_secret(),
            is_active=command.is_active,
            payload_options=command.payload_options,
        )
        with self._uow as uow:
            uow.subscriptions.add(subscription)
            uow.commit()
        return subscription
