"""`manage.py load_demo_data`: the demo shop, loaded idempotently.

The same shop as the after version's demo: eight listings in four currencies under
three cancellation policies, one slot a day each over the next thirty days but
Mondays, the demo customer and the development staff account. Running it again adds
only the slots that keep the next thirty days bookable.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from uuid import NAMESPACE_URL, uuid5

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from before.catalog.models import Listing, Slot

FLEXIBLE = [{"hours_before": 48, "refund_percent": 100}, {"hours_before": 24, "refund_percent": 50}]
MODERATE = [
    {"hours_before": 168, "refund_percent": 100},
    {"hours_before": 72, "refund_percent": 50},
]
STRICT = []

DEMO_LISTINGS = [
    # title, location, currency, price, capacity, policy, start hour (UTC), minutes
    ("Harbour walking tour", "Lisbon", "EUR", "25.00", 12, FLEXIBLE, 10, 120),
    ("Pastel de nata class", "Lisbon", "EUR", "45.00", 8, MODERATE, 11, 150),
    ("Port wine tasting", "Porto", "EUR", "38.50", 10, FLEXIBLE, 17, 90),
    ("Thames sunset cruise", "London", "GBP", "32.00", 30, STRICT, 19, 120),
    ("Street-food night walk", "London", "GBP", "55.00", 10, FLEXIBLE, 18, 180),
    ("Brooklyn bridge photo walk", "New York", "USD", "40.00", 15, MODERATE, 8, 120),
    ("Sushi making workshop", "Tokyo", "JPY", "8500", 6, STRICT, 12, 120),
    ("Tea ceremony", "Kyoto", "JPY", "5000", 8, FLEXIBLE, 14, 60),
]
DAYS_AHEAD = 30
MONDAY = 0  # closed


def demo_id(*parts):
    """The same UUID on every run, so a reload finds what is there."""
    return uuid5(NAMESPACE_URL, "portside-before-demo/" + "/".join(map(str, parts)))


class Command(BaseCommand):
    help = "Load demo listings, slots, the demo customer and staff (safe to re-run)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self.load_users()
        listings = slots = 0
        today = datetime.now(UTC).date()
        for title, location, currency, price, capacity, policy, hour, minutes in DEMO_LISTINGS:
            listing, created = Listing.objects.get_or_create(
                id=demo_id(title),
                defaults={
                    "title": title,
                    "description": f"{title} in {location}. Small groups, local hosts.",
                    "location": location,
                    "currency": currency,
                    "cancellation_policy": policy,
                    "is_published": True,
                },
            )
            listings += created
            existing = set(listing.slots.values_list("id", flat=True))
            new_slots = []
            for day in (today + timedelta(days=n) for n in range(1, DAYS_AHEAD + 1)):
                starts_at = datetime.combine(day, time(hour), tzinfo=UTC)
                slot_id = demo_id(title, day, hour)
                if day.weekday() == MONDAY or slot_id in existing:
                    continue
                new_slots.append(
                    Slot(
                        id=slot_id,
                        listing=listing,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=minutes),
                        capacity=capacity,
                        price=Decimal(price),
                    )
                )
            Slot.objects.bulk_create(new_slots)
            slots += len(new_slots)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {listings} new listings, {slots} new slots, {users} new users."
            )
        )

    def load_users(self):
        User = get_user_model()
        created = 0
        if not User.objects.filter(username="demo@portside.example").exists():
            User.objects.create_user(
                username="demo@portside.example",
                email="demo@portside.example",
                password="portside-demo",  # noqa: S106 - the documented demo account
            )
            created += 1
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser(
                username="admin",
                email="admin@portside.example",
                password="admin",  # noqa: S106 - development only
            )
            created += 1
        return created
