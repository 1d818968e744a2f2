"""Partner rows to domain objects and back."""

from __future__ import annotations

from typing import Any

from adapters.partners import models
from domain.partners.delivery import Attempt, Delivery, DeliveryStatus
from domain.partners.payload_options import PayloadOptions
from domain.partners.subscription import Subscription


def subscription_from_row(row: models.Subscription) -> Subscription:
    return Subscription(
        id=row.id,
        partner_id=row.partner_id,
        url=row.url,
        event_types=frozenset(row.event_types),
        format=row.format,
        payload_options=PayloadOptions(**row.payload_options),
        secret=row.secret,
        is_active=row.is_active,
        previous_secret=row.previous_secret or None,
        previous_secret_expires_at=row.previous_secret_expires_at,
        failing_since=row.failing_since,
        disabled_reason=row.disabled_reason,
    )


def subscription_fields(subscription: Subscription) -> dict[str, Any]:
    return {
        "partner_id": subscription.partner_id,
        "url": subscription.url,
        "event_types": sorted(subscription.event_types),
        "format": subscription.format,
        "payload_options": subscription.payload_options.as_dict(),
        "secret": subscription.secret,
        "previous_secret": subscription.previous_secret or "",
        "previous_secret_expires_at": subscription.previous_secret_expires_at,
        "is_active": subscription.is_active,
        "failing_since": subscription.failing_since,
        "disabled_reason": subscription.disabled_reason,
    }


def delivery_from_row(row: models.Delivery, attempts: list[models.DeliveryAttempt]) -> Delivery:
    return Delivery(
        id=row.id,
        webhook_id=row.webhook_id,
        subscription_id=row.subscription_id,
        event_type=row.event_type,
        content_type=row.content_type,
        body=row.body,
        created_at=row.created_at,
        status=DeliveryStatus(row.status),
        next_attempt_at=row.next_attempt_at,
        delivered_at=row.delivered_at,
        attempts=[
            Attempt(
                a.number, a.attempted_at, a.status_code, a.duration_ms, a.error, a.response_excerpt
            )
            for a in attempts
        ],
        round_starts_at=row.round_starts_at,
        leased_until=row.leased_until,
    )


def delivery_fields(delivery: Delivery) -> dict[str, Any]:
    return {
        "status": delivery.status.value,
        "next_attempt_at": delivery.next_attempt_at,
        "delivered_at": delivery.delivered_at,
        "round_starts_at": delivery.round_starts_at,
        "leased_until": delivery.leased_until,
    }
