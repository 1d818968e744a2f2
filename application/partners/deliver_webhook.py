"""Use case: one attempt at one delivery.

1. Claim: in a short transaction, lock the row if it is due (other workers skip
   locked rows) and lease it, so it is not due again while this worker sends.
2. Send, outside any transaction: no database lock waits on a partner's server.
   The target is resolved once and checked against SSRF; the sender connects to
   that checked address (no second lookup DNS could answer differently).
3. Record the attempt; the retry schedule decides what comes next.
A worker that dies between 1 and 3 loses nothing: the lease ends and the delivery is
due again, with the same `webhook-id` (at-least-once).
Every attempt writes one log line (`delivery attempt ...`): the delivery, its
`webhook-id`, the partner's status code, the outcome and how long the send took.
"""

import logging
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from application.partners.checks import checked_address
from application.partners.ports import (
    AddressResolver,
    DestinationPolicy,
    PartnerUnitOfWork,
    SendResult,
    WebhookSender,
)
from application.shared.ports import Clock
from domain.partners import signing
from domain.partners.delivery import Attempt, Delivery, DeliveryStatus
from domain.partners.errors import InvalidSubscription

logger = logging.getLogger(__name__)

# Longer than a send can take (connect and read timeouts), so a lease never ends mid-send.
LEASE = timedelta(seconds=60)


class DeliverWebhook:
    def __init__(
        self,
        uow: PartnerUnitOfWork,
        sender: WebhookSender,
        resolver: AddressResolver,
        policy: DestinationPolicy,
        clock: Clock,
        spread: Callable[[], float] = lambda: random.uniform(-1, 1),  # noqa: S311 - jitter
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._resolver = resolver
        self._policy = policy
        self._clock = clock
        self._spread = spread

    def __call__(self, delivery_id: UUID) -> DeliveryStatus | None:
        """The delivery's status after this attempt; None if it was not due or is taken."""
        with self._uow as uow:
            now = self._clock.now()
            delivery = uow.deliveries.claim(delivery_id, now)
            if delivery is None:
                return None
            subscription = uow.subscriptions.get(delivery.subscription_id, None)
            delivery.lease(now, LEASE)
            lease = delivery.leased_until
            uow.deliveries.save(delivery)
            uow.commit()

        if subscription is None or not subscription.is_active:
            result = SendResult(None, 0, "The subscription is gone or paused.")
        else:
            result = self._send(
                subscription.url,
                signing.headers(
                    subscription.signing_secrets(now),
                    delivery.webhook_id,
                    int(now.timestamp()),
                    delivery.body,
                ),
                delivery.content_type,
                delivery.body,
            )

        with self._uow as uow:
            current = uow.deliveries.get_by_id_for_update(delivery_id)
            if current is None:  # deleted with its subscription meanwhile
                return None
            attempt = next_attempt(current, result, now)
            current.record_attempt(attempt, self._spread(), lease)
            uow.deliveries.save(current)
            uow.commit()
        log_attempt(current.id, current.webhook_id, attempt, current.status)
        return current.status

    def _send(self, url: str, headers: dict[str, str], content_type: str, body: str) -> SendResult:
        try:
            address = checked_address(url, self._resolver, self._policy)
        except InvalidSubscription as refused:
            return SendResult(None, 0, f"Refused before sending: {refused}")
        return send_safely(self._sender, url, address, content_type, headers, body)


def next_attempt(delivery: Delivery, result: SendResult, at: datetime) -> Attempt:
    """The delivery's next attempt, as the send came out."""
    return Attempt(
        number=len(delivery.attempts) + 1,
        attempted_at=at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error,
        response_excerpt=result.response_excerpt,
    )


def send_safely(
    sender: WebhookSender,
    url: str,
    address: str,
    content_type: str,
    headers: dict[str, str],
    body: str,
) -> SendResult:
    """One send whose failure, whatever it is, becomes a result to record."""
    try:
        return sender.send(url, address, {"content-type": content_type, **headers}, body)
    except Exception as error:  # whatever the partner did, the attempt is recorded
        return SendResult(None, 0, f"{type(error).__name__}: {error}"[:300])


def log_attempt(
    delivery_id: UUID, webhook_id: str, attempt: Attempt, status: DeliveryStatus
) -> None:
    """One line per attempt. The outcome is what the attempt achieved: `delivered` (2xx),
    `rejected` (the partner answered otherwise), `error` (no answer: refused, timed out,
    the subscription gone); the delivery's status says whether it is retried."""
    if attempt.succeeded:
        outcome = "delivered"
    else:
        outcome = "error" if attempt.status_code is None else "rejected"
    logger.log(
        logging.INFO if outcome == "delivered" else logging.WARNING,
        "delivery attempt %s %s #%d: %s (%s) in %d ms, delivery %s",
        delivery_id,
        webhook_id,
        attempt.number,
        outcome,
        attempt.status_code or attempt.error or "-",
        attempt.duration_ms,
        status.value,
        extra={
            "delivery_id": str(delivery_id),
            "webhook_id": webhook_id,
            "attempt": attempt.number,
            "status_code": attempt.status_code,
            "outcome": outcome,
            "duration_ms": attempt.duration_ms,
            "delivery_status": status.value,
            "error": attempt.error or None,
        },
    )
