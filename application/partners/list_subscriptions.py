"""Use cases: a partner reads its subscriptions, all or one."""

from uuid import UUID

import attrs

from application.partners.ports import SubscriptionRepository
from application.shared.pagination import Page, PageRequest
from domain.partners.errors import SubscriptionNotFound
from domain.partners.subscription import Subscription


@attrs.frozen
class ListSubscriptionsQuery:
    partner_id: int
    page: PageRequest = attrs.field(factory=PageRequest)


class ListSubscriptions:
    def __init__(self, subscriptions: SubscriptionRepository) -> None:
        self._subscriptions = subscriptions

    def __call__(self, query: ListSubscriptionsQuery) -> Page[Subscription]:
        return self._subscriptions.for_partner(query.partner_id, query.page)


@attrs.frozen
class GetSubscriptionQuery:
    partner_id: int
    subscription_id: UUID


class GetSubscription:
    def __init__(self, subscriptions: SubscriptionRepository) -> None:
        self._subscriptions = subscriptions

    def __call__(self, query: GetSubscriptionQuery) -> Subscription:
        found = self._subscriptions.get(query.subscription_id, query.partner_id)
        if found is None:
            raise SubscriptionNotFound(f"No subscription {query.subscription_id}.")
        return found
