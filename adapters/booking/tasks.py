"""Celery tasks of the booking context. Celery beat runs `expire_holds` every minute."""

from datetime import timedelta

from celery import shared_task
from dependency_injector.wiring import Provide, inject
from django.conf import settings
from django.utils import timezone

from adapters.api.models import IdempotencyKey
from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand


@shared_task(name="booking.expire_holds")
@inject
def expire_holds(use_case: ExpireHolds = Provide["expire_holds"]) -> int:
    return use_case(ExpireHoldsCommand()).expired


@shared_task(name="api.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forget Idempotency-Key responses older than their time to live."""
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
