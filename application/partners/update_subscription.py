"""Use case: a partner changes its subscription's URL, events, format or pause state."""

from collections.abc import Collection
from uuid import UUID

import attrs

from application.partners.create_subscription import check_format
from application.partners.destinations import check_url
from application.partners.ports import AddressResolver, DestinationPolicy, PartnerUnitOfWork
from domain.partners.errors import SubscriptionNotFound
from domain.partners.subscription import Subscription


@attrs.frozen
class UpdateSubscriptionCommand:
    """Fields left as None stay as they are."""

    partner_id: int
    subscription_id: UUID
    url: str | None = None
    event_types: frozenset[str] | None = None
    format: str | None = None
    is_active: bool | None = None


class UpdateSubscription:
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

    def __call__(self, command: UpdateSubscriptionCommand) -> Subscription:
        if command.format is not None:
            check_format(command.format, self._formats)
        if command.url is not None:
            check_url(command.url, self._resolver, self._policy)
        with self._uow as uow:
            current = uow.subscriptions.get(command.subscription_id, command.partner_id)
            if current is None:
                raise SubscriptionNotFound(f"No subscription {command.subscription_id}.")
            changes = {
                name: value
                for name in ("url", "event_types", "format", "is_active")
                if (value := getattr(command, name)) is not None
            }
            updated = attrs.evolve(current, **changes)  # re-runs the entity's checks
            uow.subscriptions.save(updated)
            uow.commit()
        return updated
