"""Celery tasks of the booking context. Celery beat runs `expire_holds` every minute."""

from celery import shared_task
from dependency_injector.wiring import Provide, inject

from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand


@shared_task(name="booking.expire_holds")
@inject
def expire_holds(use_case: ExpireHolds = Provide["expire_holds"]) -> int:
    return use_case(ExpireHoldsCommand()).expired
