"""Celery tasks of the bookings app; beat runs `expire_holds` every minute."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from before.bookings.models import Booking, IdempotencyKey

logger = logging.getLogger(__name__)


@shared_task
def expire_holds(batch_size=500):
    """Expire unpaid holds whose time is up and release their seats; the number expired.

    Each booking expires in a transaction of its own, so one failure keeps no other
    booking's seats, and running it twice changes nothing the second time.
    """
    now = timezone.now()
    expired = 0
    for booking_id in list(Booking.objects.lapsed(now).values_list("id", flat=True)[:batch_size]):
        try:
            with transaction.atomic():
                booking = Booking.objects.select_for_update().filter(id=booking_id).first()
                if booking is not None and booking.hold_has_lapsed(now):
                    booking.expire(now)
                    expired += 1
        except Exception:
            logger.exception("Could not expire booking %s; the next sweep retries it.", booking_id)
    return expired


@shared_task
def purge_idempotency_keys():
    """Forget Idempotency-Key responses older than their time to live."""
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_KEY_TTL_SECONDS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
