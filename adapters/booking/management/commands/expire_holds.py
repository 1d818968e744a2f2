"""`manage.py expire_holds`: release lapsed holds now (Celery beat does it every minute)."""

from typing import Any

from dependency_injector.wiring import Provide, inject
from django.core.management.base import BaseCommand

from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand


class Command(BaseCommand):
    help = "Expire unpaid holds whose time is up and release their seats."

    @inject
    def handle(
        self, *args: Any, use_case: ExpireHolds = Provide["expire_holds"], **options: Any
    ) -> None:
        result = use_case(ExpireHoldsCommand())
        self.stdout.write(f"Expired {result.expired} hold(s).")
