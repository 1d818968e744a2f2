"""The sandbox's delivery task, for when a Celery broker runs."""

from celery import Task, shared_task

from outside.payment_sandbox.delivery import RETRY_DELAYS, attempt


@shared_task(bind=True, name="payment_sandbox.deliver_event", max_retries=len(RETRY_DELAYS))
def deliver_event(self: Task, event_id: str) -> bool:
    if attempt(event_id):
        return True
    raise self.retry(countdown=RETRY_DELAYS[min(self.request.retries, len(RETRY_DELAYS) - 1)])
