"""Use case: a partner reads its deliveries and their attempts, newest first."""

from uuid import UUID

import attrs

from application.partners.ports import DeliveryRepository, SubscriptionRepository
from application.shared.pagination import Page, PageRequest
from domain.partners.delivery import Delivery
from domain.partners.errors import SubscriptionNotFound


@attrs.frozen
class ListDeliveriesQuery:
    partner_id: int
    subscription_id: UUID | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


class ListDeliveries:
    def __init__(
        self, deliveries: DeliveryRepository, subscriptions: SubscriptionRepository
    ) -> None:
        self._deliveries = deliveries
        self._subscriptions = subscriptions

    def __call__(self, query: ListDeliveriesQuery) -> Page[Delivery]:
        # One subscription's deliveries: only the partner's own subscription exists for it,
        # as everywhere else in the partner API (not an empty list that hints at another's).
        if (
            query.subscription_id is not None
            and self._subscriptions.get(query.subscription_id, query.partner_id) is None
        ):
            raise SubscriptionNotFound(f"No subscription {query.subscription_id}.")
        return self._deliveries.for_partner(query.partner_id, query.subscription_id, query.page)
