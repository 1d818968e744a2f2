"""`manage.py expire_holds`: release lapsed holds now (Celery beat does it every minute)."""

from django.core.management.base import BaseCommand

from before.bookings.tasks import expire_holds


class Command(BaseCommand):
    help = "Expire unpaid holds whose time is up and release their seats."

    def handle(self, *args, **options):
        self.stdout.write(f"Expired {expire_holds()} hold(s).")
