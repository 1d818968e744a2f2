"""Use case: a partner subscribes a URL to booking events in the format it chooses."""

from collections.abc import Collection
from uuid import uuid4

import attrs

from application.partners.destinations import check_url
from application.partners.ports import AddressResolver, DestinationPolicy, PartnerUnitOfWork
from domain.partners import signing
from domain.partners.errors import InvalidSubscription
from domain.partners.subscription import Subscription


@attrs.frozen
class CreateSubscriptionCommand:
    partner_id: int
    url: str
    event_types: frozenset[str]
    format: str
    is_active: bool = True


def check_format(name: str, formats: Collection[str]) -> None:
    if name not in formats:
        choices = ", ".join(sorted(formats))
        raise InvalidSubscription(
            f"Unknown format {name!r}.", {"format": [f"Choose from {choices}."]}
        )


class CreateSubscription:
    def __init__(
        self,
        uow: PartnerUnitOfWork,
        formats: Collection[str],
        resolver: AddressResolver,
        policy: DestinationPolicy,
    ) -> None:
        self._uow = uow
        self._formats = formats
        self._resolver = resolver
        self._policy = policy

    def __call__(self, command: CreateSubscriptionCommand) -> Subscription:
        check_format(command.format, self._formats)
        check_url(command.url, self._resolver, self._policy)
        subscription = Subscription(
            id=uuid4(),
            partner_id=command.partner_id,
            url=command.url,
            event_types=command.event_types,
            format=command.format,
            secret=signing.new_secret(),
            is_active=command.is_active,
        )
        with self._uow as uow:
            uow.subscriptions.add(subscription)
            uow.commit()
        return subscription
