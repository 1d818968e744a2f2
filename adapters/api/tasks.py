"""Celery tasks of the API adapter."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from adapters.api.models import IdempotencyKey


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Key responses older than their time to live (hourly, by beat)."""
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
