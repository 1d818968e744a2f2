"""Use case: a partner reads its deliveries and their attempts, newest first."""

from uuid import UUID

import attrs

from application.partners.ports import DeliveryRepository
from application.shared.pagination import Page, PageRequest
from domain.partners.delivery import Delivery


@attrs.frozen
class ListDeliveriesQuery:
    partner_id: int
    subscription_id: UUID | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


class ListDeliveries:
    def __init__(self, deliveries: DeliveryRepository) -> None:
        self._deliveries = deliveries

    def __call__(self, query: ListDeliveriesQuery) -> Page[Delivery]:
        return self._deliveries.for_partner(query.partner_id, query.subscription_id, query.page)
