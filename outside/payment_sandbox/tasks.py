"""Sending the sandbox's events in the background, with retries, once the payment commits.

With a Celery broker configured, a task sends each event and retries it; without one
(the embedded default), a daemon thread does, so the pay page never waits on the
merchant. Every attempt is recorded on the event (`delivery.attempt`).
"""

import threading
import time

from celery import Task, shared_task
from django.conf import settings
from django.db import connections, transaction

from outside.payment_sandbox.delivery import RETRY_DELAYS, attempt
from outside.payment_sandbox.router import DATABASE


@shared_task(bind=True, name="payment_sandbox.deliver_event", max_retries=len(RETRY_DELAYS))
def deliver_event(self: Task, event_id: str) -> bool:
    if attempt(event_id):
        return True
    raise self.retry(countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)])


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
            deliver_event.delay(event_id)
        else:
            threading.Thread(target=_deliver_in_thread, args=(event_id,), daemon=True).start()

    transaction.on_commit(start, using=DATABASE)
