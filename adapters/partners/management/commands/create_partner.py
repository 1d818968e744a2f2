"""`manage.py create_partner NAME`: a new partner and its API key, printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from adapters.partners.auth import new_partner
from adapters.partners.models import Partner


class Command(BaseCommand):
    help = "Create a partner and print its API key (shown only this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        if Partner.objects.filter(name=options["name"]).exists():
            raise CommandError(f"A partner named {options['name']!r} exists already.")
        partner, key = new_partner(options["name"])
        self.stdout.write(f"Partner {partner.name} (id {partner.pk}). API key, shown once:\n{key}")
