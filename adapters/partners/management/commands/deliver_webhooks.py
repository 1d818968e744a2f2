"""`manage.py deliver_webhooks`: send every due delivery now (Celery beat does it every 30 s)."""

from typing import Any

from dependency_injector.wiring import Provide, inject
from django.core.management.base import BaseCommand

from application.partners.sweep_deliveries import SweepDeliveries


class Command(BaseCommand):
    help = "Send every partner delivery that is due."

    @inject
    def handle(
        self, *args: Any, use_case: SweepDeliveries = Provide["sweep_deliveries"], **options: Any
    ) -> None:
        self.stdout.write(f"Attempted {use_case().attempted} delivery(ies).")
