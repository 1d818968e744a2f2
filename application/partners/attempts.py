"""One delivery attempt, as the relay makes it: a send that never raises, the attempt
it records, and the log line it writes (`delivery attempt ...`: the delivery, its
`webhook-id`, the partner's status code, the outcome and how long the send took)."""

import logging
from datetime import datetime
from uuid import UUID

from application.partners.ports import SendResult, WebhookSender
from domain.partners.delivery import Attempt, Delivery, DeliveryStatus

logger = logging.getLogger(__name__)


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


def log_attempt(
    delivery_id: UUID, webhook_id: str, attempt: Attempt, status: DeliveryStatus
) -> None:
    """One line per attempt. The outcome is what the attempt achieved: `delivered` (2xx),
    `rejected` (the partner answered otherwise), `error` (no answer: refused before
    sending or by the host, timed out); the delivery's status says whether it is retried."""
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
