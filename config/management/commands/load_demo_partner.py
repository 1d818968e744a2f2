"""`manage.py load_demo_partner`: a partner subscribed to the demo partner inbox, so a
booking made in the storefront shows up at /partner-inbox/ with nothing else to do.

One subscription per payload format, each to its own inbox endpoint, which is told the
subscription's signing secret the way a real partner configures its receiver. It lives
in `config` because only the composition root may touch both Portside's partners and
the inbox, an outside system. Safe to re-run; development and demos only.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from adapters.partners.auth import new_partner
from adapters.partners.formatters import FORMATTERS
from adapters.partners.models import Partner, Subscription
from domain.partners.signing import new_secret
from outside.partner_inbox.models import Endpoint

PARTNER_NAME = "Demo partner inbox"


class Command(BaseCommand):
    help = "Subscribe a demo partner to the demo partner inbox, in every format (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PARTNER_INBOX_ENABLED:
            raise CommandError("The partner inbox is off: set PARTNER_INBOX_ENABLED=1.")
        base_url = settings.PORTSIDE_BASE_URL.rstrip("/")
        created = 0
        with transaction.atomic():
            partner = Partner.objects.filter(name=PARTNER_NAME).first()
            if partner is None:
                partner, _ = new_partner(PARTNER_NAME)  # the key is not needed: never shown
            for format in sorted(FORMATTERS):
                slug = f"demo-{format}"
                url = f"{base_url}/partner-inbox/{slug}/"
                if partner.subscriptions.filter(url=url).exists():
                    continue
                secret = new_secret()
                Subscription.objects.create(
                    partner=partner, url=url, format=format, secret=secret, event_types=[]
                )
                Endpoint.objects.update_or_create(slug=slug, defaults={"secret": secret})
                created += 1
        self.stdout.write(
            f"Demo partner: {created} new subscription(s) to {base_url}/partner-inbox/."
        )
