"""Celery tasks of the partners app: `retry_deliveries`, run by beat every 30 seconds."""

import logging

from celery import shared_task
from django.utils import timezone

from before.partners import webhooks
from before.partners.models import Delivery

logger = logging.getLogger(__name__)


@shared_task
def retry_deliveries(limit: int = 100) -> int:
    """Send every delivery whose retry is due; how many were attempted."""
    due = Delivery.objects.due(timezone.now()).select_related("subscription")[:limit]
    attempted = 0
    for delivery in due:
        if not delivery.claim_for_retry():
            continue  # another run of this task has it
        try:
            webhooks.send(delivery)
        except Exception:
            logger.exception("Delivery %s could not be attempted.", delivery.pk)
        attempted += 1
    return attempted
