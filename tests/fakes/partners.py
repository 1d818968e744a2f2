"""The partner ports over dictionaries, plus a sender and a resolver that need no network."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import attrs

from application.partners.ports import SendResult
from application.shared.pagination import Page, PageRequest
from domain.partners.delivery import Delivery
from domain.partners.subscription import Subscription
from tests.fakes.transaction import InMemoryTransaction


def _copy(delivery: Delivery) -> Delivery:
    """An independent delivery, as a database read gives: a new list of its (frozen)
    attempts. A subscription has no part changed in place: `attrs.evolve` copies it."""
    return attrs.evolve(delivery, attempts=list(delivery.attempts))


class InMemorySubscriptionRepository:
    def __init__(self) -> None:
        self.subscriptions: dict[UUID, Subscription] = {}
        # Called with the id of each deleted subscription: its deliveries go with it, as
        # the database's ON DELETE CASCADE does.
        self.on_delete: list[Callable[[UUID], None]] = []

    def add(self, subscription: Subscription) -> None:
        self.subscriptions[subscription.id] = attrs.evolve(subscription)

    save = add

    def delete(self, subscription_id: UUID) -> None:
        self.subscriptions.pop(subscription_id, None)
        for cascade in self.on_delete:
            cascade(subscription_id)

    def get(self, subscription_id: UUID, partner_id: int | None) -> Subscription | None:
        found = self.subscriptions.get(subscription_id)
        if found is None or partner_id not in (None, found.partner_id):
            return None
        return attrs.evolve(found)

    def for_partner(self, partner_id: int, page: PageRequest) -> Page[Subscription]:
        mine = [s for s in self.subscriptions.values() if s.partner_id == partner_id]
        return Page(
            [attrs.evolve(s) for s in mine[page.offset : page.offset + page.size]], len(mine), page
        )

    def active_for(self, event_type: str) -> list[Subscription]:
        return [attrs.evolve(s) for s in self.subscriptions.values() if s.wants(event_type)]

    def get_many(
        self, subscription_ids: Iterable[UUID], for_update: bool = False
    ) -> dict[UUID, Subscription]:
        return {
            key: attrs.evolve(self.subscriptions[key])
            for key in subscription_ids
            if key in self.subscriptions
        }


class InMemoryDeliveryRepository:
    def __init__(self, subscriptions: InMemorySubscriptionRepository) -> None:
        self.deliveries: dict[UUID, Delivery] = {}
        self._subscriptions = subscriptions
        subscriptions.on_delete.append(self._forget_subscription)

    def _forget_subscription(self, subscription_id: UUID) -> None:
        self.deliveries = {
            key: d for key, d in self.deliveries.items() if d.subscription_id != subscription_id
        }

    def add(self, delivery: Delivery) -> None:
        self.deliveries[delivery.id] = _copy(delivery)

    save = add

    def _partner_of(self, delivery: Delivery) -> int | None:
        subscription = self._subscriptions.subscriptions.get(delivery.subscription_id)
        return subscription.partner_id if subscription else None

    def get(self, delivery_id: UUID, partner_id: int) -> Delivery | None:
        found = self.deliveries.get(delivery_id)
        if found is None or self._partner_of(found) != partner_id:
            return None
        return _copy(found)

    get_for_update = get

    def for_partner(
        self, partner_id: int, subscription_id: UUID | None, page: PageRequest
    ) -> Page[Delivery]:
        mine = sorted(
            (
                d
                for d in self.deliveries.values()
                if self._partner_of(d) == partner_id
                and (subscription_id is None or d.subscription_id == subscription_id)
            ),
            key=lambda d: (d.created_at, str(d.id)),
            reverse=True,
        )
        return Page(
            [_copy(d) for d in mine[page.offset : page.offset + page.size]], len(mine), page
        )

    def _due(self, delivery: Delivery, now: datetime) -> bool:
        subscription = self._subscriptions.subscriptions.get(delivery.subscription_id)
        return delivery.is_due(now) and subscription is not None and subscription.is_active

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        claimed = []
        for delivery_id in self.due_ids(now, limit):
            self.deliveries[delivery_id].lease(now, lease)
            claimed.append(_copy(self.deliveries[delivery_id]))
        return claimed

    def get_many_for_update(self, delivery_ids: Iterable[UUID]) -> list[Delivery]:
        return [_copy(self.deliveries[i]) for i in delivery_ids if i in self.deliveries]

    def save_many(self, deliveries: Iterable[Delivery]) -> None:
        for delivery in deliveries:
            self.add(delivery)

    def due_ids(self, now: datetime, limit: int) -> list[UUID]:
        due = sorted(
            (d for d in self.deliveries.values() if self._due(d, now)),
            key=lambda d: (d.next_attempt_at or d.created_at, str(d.id)),
        )
        return [d.id for d in due[:limit]]


class InMemoryPartnerUnitOfWork(InMemoryTransaction):
    def __init__(self) -> None:
        self.subscriptions = InMemorySubscriptionRepository()
        self.deliveries = InMemoryDeliveryRepository(self.subscriptions)

    def _snapshot(self) -> tuple[Any, ...]:
        return (dict(self.subscriptions.subscriptions), dict(self.deliveries.deliveries))

    def _restore(self, saved: tuple[Any, ...]) -> None:
        self.subscriptions.subscriptions, self.deliveries.deliveries = saved


class RecordingQueue:
    def __init__(self) -> None:
        self.queued: list[UUID] = []
        self.relays = 0  # batches asked for by relay_more()

    def relay_more(self) -> None:
        self.relays += 1

    def enqueue_after_commit(self, delivery_ids: Iterable[UUID]) -> None:
        self.queued.extend(delivery_ids)


class FixedResolver:
    """Resolves every host to the addresses given per host (default: a public one)."""

    def __init__(self, addresses: Mapping[str, list[str]] | None = None) -> None:
        self.addresses = dict(addresses or {})

    def resolve(self, host: str) -> list[str]:
        try:  # an address literal resolves to itself, as with the real resolver
            return [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            return self.addresses.get(host, ["93.184.215.14"])


class ScriptedSender:
    """Answers with the status codes given, in order (then 200), and records each request."""

    def __init__(self, *status_codes: int | None) -> None:
        self.script = list(status_codes)
        self.sent: list[tuple[str, dict[str, str], str]] = []
        self.addresses: list[str] = []  # where each request went

    def send(self, url: str, address: str, headers: Mapping[str, str], body: str) -> SendResult:
        self.sent.append((url, dict(headers), body))
        self.addresses.append(address)
        status = self.script.pop(0) if self.script else 200
        if status is None:
            return SendResult(None, 3, "ConnectionError: refused")
        return SendResult(status, 3, "", "ok" if status < 300 else "oops")
