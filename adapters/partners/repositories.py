"""The partner ports over the Django ORM, and their unit of work."""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet

from adapters.partners import models
from adapters.partners.mapping import (
    delivery_fields,
    delivery_from_row,
    subscription_fields,
    subscription_from_row,
)
from adapters.transactions import AtomicUnitOfWork
from application.shared.pagination import Page, PageRequest
from domain.partners.delivery import Delivery, DeliveryStatus
from domain.partners.subscription import Subscription
from domain.shared.errors import DomainError

logger = logging.getLogger(__name__)

ATTEMPTS = Prefetch("attempts", queryset=models.DeliveryAttempt.objects.order_by("number"))


class DjangoSubscriptionRepository:
    def add(self, subscription: Subscription) -> None:
        models.Subscription.objects.create(id=subscription.id, **subscription_fields(subscription))

    def save(self, subscription: Subscription) -> None:
        models.Subscription.objects.filter(id=subscription.id).update(
            **subscription_fields(subscription)
        )

    def delete(self, subscription_id: UUID) -> None:
        models.Subscription.objects.filter(id=subscription_id).delete()

    def get(self, subscription_id: UUID, partner_id: int | None) -> Subscription | None:
        rows = models.Subscription.objects.filter(id=subscription_id)
        if partner_id is not None:
            rows = rows.filter(partner_id=partner_id)
        row = rows.first()
        return subscription_from_row(row) if row else None

    def for_partner(self, partner_id: int, page: PageRequest) -> Page[Subscription]:
        rows = models.Subscription.objects.filter(partner_id=partner_id)
        total = rows.count()
        window = rows.order_by("created_at", "id")[page.offset : page.offset + page.size]
        return Page([subscription_from_row(row) for row in window], total, page)

    def active_for(self, event_type: str) -> list[Subscription]:
        """Every active subscription, filtered by event type here: `event_types` is a JSON
        list, and SQLite cannot search one. A row the domain refuses is logged and left
        out rather than failing the booking that is being recorded."""
        found = []
        for row in models.Subscription.objects.filter(is_active=True, partner__is_active=True):
            try:
                subscription = subscription_from_row(row)
            except DomainError:
                logger.exception("Subscription %s cannot be loaded; skipped.", row.id)
                continue
            if subscription.wants(event_type):
                found.append(subscription)
        return found

    def get_many(
        self, subscription_ids: Iterable[UUID], for_update: bool = False
    ) -> dict[UUID, Subscription]:
        rows = models.Subscription.objects.filter(id__in=list(subscription_ids))
        if for_update:
            rows = rows.select_for_update().order_by("id")
        return {row.id: subscription_from_row(row) for row in rows}


def _due(now: datetime) -> Q:
    """Pending, its time has come, and its subscription and partner are active: a
    paused subscription's deliveries wait instead of using up their retries."""
    return (
        (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        & Q(status=DeliveryStatus.PENDING.value)
        & Q(subscription__is_active=True, subscription__partner__is_active=True)
    )


class DjangoDeliveryRepository:
    def add(self, delivery: Delivery) -> None:
        models.Delivery.objects.create(
            id=delivery.id,
            webhook_id=delivery.webhook_id,
            subscription_id=delivery.subscription_id,
            event_type=delivery.event_type,
            content_type=delivery.content_type,
            body=delivery.body,
            created_at=delivery.created_at,
            **delivery_fields(delivery),
        )

    def save(self, delivery: Delivery) -> None:
        self.save_many([delivery])

    def _owned(self, partner_id: int) -> QuerySet[models.Delivery]:
        return models.Delivery.objects.filter(subscription__partner_id=partner_id).prefetch_related(
            ATTEMPTS
        )

    def get(self, delivery_id: UUID, partner_id: int) -> Delivery | None:
        row = self._owned(partner_id).filter(id=delivery_id).first()
        return delivery_from_row(row, list(row.attempts.all())) if row else None

    def get_for_update(self, delivery_id: UUID, partner_id: int) -> Delivery | None:
        owned = models.Delivery.objects.filter(subscription__partner_id=partner_id).values("id")
        row = (
            models.Delivery.objects.select_for_update()
            .prefetch_related(ATTEMPTS)
            .filter(id=delivery_id, id__in=owned)
            .first()
        )
        return delivery_from_row(row, list(row.attempts.all())) if row else None

    def for_partner(
        self, partner_id: int, subscription_id: UUID | None, page: PageRequest
    ) -> Page[Delivery]:
        rows = models.Delivery.objects.filter(subscription__partner_id=partner_id)
        if subscription_id is not None:
            rows = rows.filter(subscription_id=subscription_id)
        total = rows.count()
        window = rows.order_by("-created_at", "-id").prefetch_related(ATTEMPTS)[
            page.offset : page.offset + page.size
        ]
        return Page(
            [delivery_from_row(row, list(row.attempts.all())) for row in window], total, page
        )

    def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[Delivery]:
        rows = models.Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        claimed = []
        for row in rows[:limit]:
            delivery = delivery_from_row(row, [])
            delivery.lease(now, lease)
            claimed.append(delivery)
        if claimed:
            models.Delivery.objects.filter(id__in=[d.id for d in claimed]).update(
                leased_until=now + lease, next_attempt_at=now + lease
            )
        return claimed

    def get_many_for_update(self, delivery_ids: Iterable[UUID]) -> list[Delivery]:
        rows = (
            models.Delivery.objects.select_for_update()
            .filter(id__in=list(delivery_ids))
            .order_by("id")  # one lock order for every worker
            .prefetch_related(ATTEMPTS)
        )
        return [delivery_from_row(row, list(row.attempts.all())) for row in rows]

    def save_many(self, deliveries: Iterable[Delivery]) -> None:
        found = list(deliveries)
        if not found:
            return
        rows = [models.Delivery(id=d.id, **delivery_fields(d)) for d in found]
        models.Delivery.objects.bulk_update(rows, list(delivery_fields(found[0])))
        known = set(
            models.DeliveryAttempt.objects.filter(
                delivery_id__in=[d.id for d in found]
            ).values_list("delivery_id", "number")
        )
        models.DeliveryAttempt.objects.bulk_create(
            models.DeliveryAttempt(
                delivery_id=delivery.id,
                number=attempt.number,
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                duration_ms=attempt.duration_ms,
                error=attempt.error[:300],
                response_excerpt=attempt.response_excerpt[:500],
            )
            for delivery in found
            for attempt in delivery.attempts
            if (delivery.id, attempt.number) not in known
        )

    def due_ids(self, now: datetime, limit: int) -> list[UUID]:
        return list(
            models.Delivery.objects.filter(_due(now))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )


class DjangoPartnerUnitOfWork(AtomicUnitOfWork):
    def _start(self) -> None:
        self.subscriptions = DjangoSubscriptionRepository()
        self.deliveries = DjangoDeliveryRepository()
