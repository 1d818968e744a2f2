"""Celery tasks of the partners context: send one delivery, relay a batch of due ones."""

from uuid import UUID

from celery import shared_task
from dependency_injector.wiring import Provide, inject

from application.partners.deliver_webhook import DeliverWebhook
from application.partners.sweep_deliveries import SweepDeliveries


@shared_task(name="partners.deliver_webhook", acks_late=True)
@inject
def deliver_webhook(
    delivery_id: str, use_case: DeliverWebhook = Provide["deliver_webhook"]
) -> str | None:
    status = use_case(UUID(delivery_id))
    return status.value if status else None


@shared_task(name="partners.sweep_deliveries")
@inject
def sweep_deliveries(use_case: SweepDeliveries = Provide["sweep_deliveries"]) -> int:
    """Relay batches of due deliveries: queued after each outbox commit, by beat every
    30 s, and by a run whose batch came back full. How many attempts it recorded."""
    return use_case().attempted
