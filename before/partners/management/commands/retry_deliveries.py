"""`manage.py retry_deliveries`: send the due retries now, as Celery beat does every 30 s
(useful where no beat runs, such as `make run-before`)."""

from typing import Any

from django.core.management.base import BaseCommand

from before.partners.tasks import retry_deliveries


class Command(BaseCommand):
    help = "Send every partner delivery whose retry is due."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Attempted {retry_deliveries()} delivery(ies).")
