"""Posting one of the sandbox's signed events to the merchant, and recording the attempt.

`tasks.dispatch` runs the attempts in the background, with retries.
"""

import json
import logging

import requests
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from outside.payment_sandbox.models import SandboxEvent
from outside.payment_sandbox.signing import HEADER, sign

logger = logging.getLogger(__name__)

# Seconds before each retry: a compressed version of a real provider's hours-long schedule.
RETRY_DELAYS = (1, 5, 30, 120, 600)
TIMEOUT = (3.05, 10)  # connect, read


def body_of(event: SandboxEvent) -> bytes:
    return json.dumps(event.payload, separators=(",", ":"), sort_keys=True).encode()


def attempt(event_id: str) -> bool:
    """Send an event once; True when the merchant answered 2xx."""
    event = SandboxEvent.objects.select_related("payment").get(id=event_id)
    body = body_of(event)
    headers = {
        "Content-Type": "application/json",
        HEADER: sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET),
    }
    status_code, error = None, ""
    try:
        response = requests.post(
            event.payment.webhook_url,
            data=body,
            headers=headers,
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        status_code = response.status_code
    except requests.RequestException as exc:
        error = str(exc)[:300]
    delivered = status_code is not None and 200 <= status_code < 300
    SandboxEvent.objects.filter(id=event_id).update(
        attempts=F("attempts") + 1,
        last_status_code=status_code,
        last_error=error,
        delivered_at=timezone.now() if delivered else None,
    )
    logger.info("sandbox event %s %s -> %s %s", event.type, event_id, status_code, error)
    return delivered
