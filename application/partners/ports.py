"""What the partner use cases need from the outside world."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

import attrs

from application.shared.pagination import Page, PageRequest
from application.shared.ports import UnitOfWork
from domain.partners.delivery import Delivery
from domain.partners.subscription import Subscription


@attrs.frozen
class PartnerEvent:
    """One event as partners receive it, before a format is applied."""

    webhook_id: str
    type: str
    occurred_at: datetime
    data: Mapping[str, Any]


@attrs.frozen
class RenderedPayload:
    content_type: str
    body: str


class PayloadFormatter(Protocol):
    """One payload format (a strategy): a new format is one class and one registration.
    It builds an envelope and serializes it; the payload options act in between."""

    @property
    def content_type(self) -> str: ...

    def envelope(self, event: PartnerEvent) -> dict[str, Any]: ...

    def serialize(self, envelope: Mapping[str, Any]) -> str: ...


class SubscriptionRepository(Protocol):
    def add(self, subscription: Subscription) -> None: ...

    def save(self, subscription: Subscription) -> None: ...

    def delete(self, subscription_id: UUID) -> None: ...

    def get(self, subscription_id: UUID, partner_id: int | None) -> Subscription | None:
        """The subscription; None if missing or another partner's (`None` asks for any)."""
        ...

    def for_partner(self, partner_id: int, page: PageRequest) -> Page[Subscription]: ...

    def active_for(self, event_type: str) -> list[Subscription]:
        """Active subscriptions that want `event_type`."""
        ...

    def get_many(
        self, subscription_ids: Iterable[UUID], for_update: bool = False
    ) -> dict[UUID, Subscription]:
        """The subscriptions that still exist, by id, in one read (locked if asked)."""
        ...


class DeliveryRepository(Protocol):
    def add(self, delivery: Delivery) -> None: ...

    def save(self, delivery: Delivery) -> None: ...

    def get(self, delivery_id: UUID, partner_id: int) -> Delivery | None: ...

    def get_for_update(self, delivery_id: UUID, partner_id: int) -> Delivery | None:
        """The partner's delivery, locked (waiting for a worker that is sending it)."""
        ...

    def for_partner(
        self, partner_id: int, subscription_id: UUID | None, page: PageRequest
    ) -> Page[Delivery]: ...

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        """Up to `limit` due deliveries, oldest first, that no other worker holds
        (`FOR UPDATE SKIP LOCKED`), each leased until `now + lease` and saved so: one
        batch in one short transaction."""
        ...

    def get_many_for_update(self, delivery_ids: Iterable[UUID]) -> list[Delivery]:
        """The deliveries that still exist, locked, with their attempts."""
        ...

    def save_many(self, deliveries: Iterable[Delivery]) -> None:
        """Save each delivery and its new attempts, in bulk."""
        ...

    def due_ids(self, now: datetime, limit: int) -> list[UUID]: ...


class PartnerUnitOfWork(UnitOfWork, Protocol):
    subscriptions: SubscriptionRepository
    deliveries: DeliveryRepository


class DeliveryQueue(Protocol):
    def enqueue_after_commit(self, delivery_ids: Iterable[UUID]) -> None:
        """Have a worker send these once the current transaction has committed."""
        ...

    def relay_more(self) -> None:
        """Have another worker process relay a batch now (the backlog is bigger than one)."""
        ...


class AddressResolver(Protocol):
    def resolve(self, host: str) -> list[str]:
        """Every address `host` resolves to; empty if it does not resolve."""
        ...


@attrs.frozen
class SendResult:
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_excerpt: str = ""


class WebhookSender(Protocol):
    def send(self, url: str, address: str, headers: Mapping[str, str], body: str) -> SendResult:
        """POST once to `address` (checked, never resolved again), with the URL's host
        as Host header and TLS server name; no redirects followed, connect and read
        timeouts. Safe to call from several threads at once."""
        ...


@attrs.frozen
class DestinationPolicy:
    """What development may relax: plain http, and named hosts past the address check."""

    allow_http: bool = False
    allowed_hosts: frozenset[str] = frozenset()
