"""Posting the sandbox's signed events to the merchant, in the background, with retries.

With a Celery broker configured, a task sends each event and retries it; without one
(the embedded default), a daemon thread does, so the pay page never waits on the
merchant. Every attempt is recorded on the event.
"""

import json
import logging
import threading
import time

import requests
from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from outside.payment_sandbox.models import SandboxEvent
from outside.payment_sandbox.router import DATABASE
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


def _deliver_in_thread(event_id: str) -> None:
    try:
        for delay in (0, *RETRY_DELAYS):
            time.sleep(delay)
            if attempt(event_id):
                return
    finally:
        connections.close_all()  # the thread ends here: its connections must not outlive it


def dispatch(event_id: str) -> None:
    """Send the event once the current transaction has committed."""

    def start() -> None:
        if settings.CELERY_BROKER_URL:
            from outside.payment_sandbox.tasks import deliver_event

            deliver_event.delay(event_id)
        else:
            threading.Thread(target=_deliver_in_thread, args=(event_id,), daemon=True).start()

    transaction.on_commit(start, using=DATABASE)
