"""Celery task of the partners context: relay a batch of due deliveries."""

from celery import shared_task
from dependency_injector.wiring import Provide, inject

from application.partners.sweep_deliveries import SweepDeliveries


@shared_task(name="partners.sweep_deliveries")
@inject
def sweep_deliveries(use_case: SweepDeliveries = Provide["sweep_deliveries"]) -> int:
    """Relay batches of due deliveries: queued after each outbox commit, by beat every
    30 s, and by a run whose batch came back full. How many attempts it recorded."""
    return use_case().attempted
