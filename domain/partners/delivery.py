"""A delivery: one event for one subscription, rendered once, sent until it lands.

Written in the same transaction as the booking change it reports (the outbox), then
sent by a worker. The `webhook_id` never changes, so a partner can drop the duplicates
that at-least-once delivery brings. Every attempt is kept.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from uuid import UUID

import attrs

from domain.partners.retry import MAX_ATTEMPTS, delay_after


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"


@attrs.frozen
class Attempt:
    number: int
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str = ""
    response_excerpt: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@attrs.define
class Delivery:
    id: UUID
    webhook_id: str
    subscription_id: UUID
    event_type: str
    content_type: str
    body: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    attempts: list[Attempt] = attrs.field(factory=list)
    # Attempts before this index belong to an earlier round (before a redelivery), so
    # the retry schedule starts afresh after a partner asks to redeliver.
    round_starts_at: int = 0
    # While a worker sends, the delivery is leased to it until this time.
    leased_until: datetime | None = None

    def is_due(self, now: datetime) -> bool:
        return self.status is DeliveryStatus.PENDING and (
            self.next_attempt_at is None or self.next_attempt_at <= now
        )

    def lease(self, now: datetime, duration: timedelta) -> None:
        """Set the delivery aside for one worker: not due again until the lease ends, so
        no other worker sends it meanwhile, and a worker that dies mid-send only
        delays it."""
        self.leased_until = self.next_attempt_at = now + duration

    def record_attempt(
        self, attempt: Attempt, spread: float, lease: datetime | None = None
    ) -> None:
        """Keep the attempt; then delivered, retried later on the schedule, or dead.

        `lease` is the lease the sender held. If the delivery has moved on since (the
        lease ran out and another worker took it, or it was already delivered), the
        attempt is kept for the record but decides nothing, unless it succeeded."""
        self.attempts.append(attempt)
        if self.status is DeliveryStatus.DELIVERED:
            return
        if lease is not None and lease != self.leased_until and not attempt.succeeded:
            return
        self.leased_until = None
        if attempt.succeeded:
            self.status = DeliveryStatus.DELIVERED
            self.delivered_at = attempt.attempted_at
            self.next_attempt_at = None
            return
        wait = delay_after(self._failures_in_a_row(), spread)
        if wait is None:
            self.status = DeliveryStatus.DEAD
            self.next_attempt_at = None
        else:
            self.next_attempt_at = attempt.attempted_at + wait

    def release(self, lease: datetime | None, at: datetime) -> None:
        """Give the delivery back unsent (its destination failed earlier in the batch, or
        the batch ran out of time): due again at `at`, with no attempt counted. Nothing
        changes if the lease is no longer the one the sender held."""
        if self.status is DeliveryStatus.PENDING and lease == self.leased_until:
            self.leased_until = None
            self.next_attempt_at = at

    def redeliver(self, now: datetime) -> None:
        """Send again now, whatever happened before (a partner asked, or an operator);
        a send under way keeps its lease, and the new round starts after it."""
        self.status = DeliveryStatus.PENDING
        self.round_starts_at = len(self.attempts)
        if self.leased_until is None or self.leased_until <= now:
            self.leased_until = None
            self.next_attempt_at = now

    def _failures_in_a_row(self) -> int:
        return min(len(self.attempts) - self.round_starts_at, MAX_ATTEMPTS)
