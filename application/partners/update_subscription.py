"""Use case: a partner changes its subscription's URL, events, format, payload
options or pause state."""

from uuid import UUID

import attrs

from application.partners.checks import SubscriptionChecks
from application.partners.ports import PartnerUnitOfWork
from domain.partners.errors import SubscriptionNotFound
from domain.partners.payload_options import PayloadOptions
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
    payload_options: PayloadOptions | None = None


class UpdateSubscription:
    def __init__(self, uow: PartnerUnitOfWork, checks: SubscriptionChecks) -> None:
        self._uow = uow
        self._checks = checks

    def __call__(self, command: UpdateSubscriptionCommand) -> Subscription:
        self._checks.check(url=command.url, format=command.format)
        with self._uow as uow:
            current = uow.subscriptions.get(command.subscription_id, command.partner_id)
            if current is None:
                raise SubscriptionNotFound(f"No subscription {command.subscription_id}.")
            changes = {
                name: value
                for name in ("url", "event_types", "format", "is_active", "payload_options")
                if (value := getattr(command, name)) is not None
            }
            updated = attrs.evolve(current, **changes)  # re-runs the entity's checks
            if command.is_active and not current.is_active:
                updated.enable()
            uow.subscriptions.save(updated)
            uow.commit()
        return updated
