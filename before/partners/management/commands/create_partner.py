"""`manage.py create_partner NAME`: a new partner; its API key is the last line printed."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError

from before.partners.models import Partner


class Command(BaseCommand):
    help = "Create a partner and print its API key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        try:
            partner, key = Partner.objects.create_with_key(name)
        except IntegrityError as error:
            raise CommandError(f"A partner named {name!r} exists already.") from error
        self.stdout.write(f"Created partner {partner} (id {partner.pk}). Its API key, shown once:")
        self.stdout.write(key)
