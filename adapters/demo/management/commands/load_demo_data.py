"""`manage.py load_demo_data`: a shop to explore, loaded idempotently.

Eight listings in four currencies and three cancellation policies; one slot a day each
over the next thirty days but Mondays (about two hundred); the demo customer and the
development staff account.
Running it again changes nothing that is already there; it only tops up slots so the
next thirty days stay bookable.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from adapters.catalog import models

FLEXIBLE = [{"hours_before": 48, "refund_percent": 100}, {"hours_before": 24, "refund_percent": 50}]
MODERATE = [
    {"hours_before": 168, "refund_percent": 100},
    {"hours_before": 72, "refund_percent": 50},
]
STRICT: list[dict[str, int]] = []

# title, location, currency, price, capacity, policy, daily start hours, minutes long
LISTINGS: list[tuple[str, str, str, str, int, list[dict[str, int]], tuple[int, ...], int]] = [
    ("Harbour walking tour", "Lisbon", "EUR", "25.00", 12, FLEXIBLE, (10,), 120),
    ("Pastel de nata class", "Lisbon", "EUR", "45.00", 8, MODERATE, (11,), 150),
    ("Port wine tasting", "Porto", "EUR", "38.50", 10, FLEXIBLE, (17,), 90),
    ("Thames sunset cruise", "London", "GBP", "32.00", 30, STRICT, (19,), 120),
    ("Street-food night walk", "London", "GBP", "55.00", 10, FLEXIBLE, (18,), 180),
    ("Brooklyn bridge photo walk", "New York", "USD", "40.00", 15, MODERATE, (8,), 120),
    ("Sushi making workshop", "Tokyo", "JPY", "8500", 6, STRICT, (12,), 120),
    ("Tea ceremony", "Kyoto", "JPY", "5000", 8, FLEXIBLE, (14,), 60),
]
DAYS = 30
CLOSED_WEEKDAY = 0  # Monday
DEMO_CUSTOMER = ("demo@portside.example", "portside-demo")
DEMO_STAFF = ("admin", "admin")


def stable_id(*parts: object) -> UUID:
    """The same id on every run, so reloading finds rather than duplicates."""
    return uuid5(NAMESPACE_URL, "portside-demo/" + "/".join(str(part) for part in parts))


class Command(BaseCommand):
    help = "Load demo listings, slots, the demo customer and staff (safe to re-run)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            users = self._users()
            listings, slots = self._catalogue(datetime.now(UTC).date())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data: {listings} new listings, {slots} new slots, {users} new users."
            )
        )

    def _users(self) -> int:
        user_model = get_user_model()
        created = 0
        email, password = DEMO_CUSTOMER
        if not user_model.objects.filter(username=email).exists():
            user_model.objects.create_user(username=email, email=email, password=password)
            created += 1
        username, password = DEMO_STAFF
        if not user_model.objects.filter(username=username).exists():
            user_model.objects.create_superuser(
                username=username, email="admin@portside.example", password=password
            )
            created += 1
        return created

    def _catalogue(self, today: date) -> tuple[int, int]:
        new_listings = new_slots = 0
        for title, location, currency, price, capacity, policy, hours, minutes in LISTINGS:
            listing, created = models.Listing.objects.get_or_create(
                id=stable_id(title),
                defaults={
                    "title": title,
                    "description": f"{title} in {location}. Small groups, local hosts.",
                    "location": location,
                    "currency": currency,
                    "cancellation_policy": policy,
                    "is_published": True,
                },
            )
            new_listings += created
            existing = set(models.Slot.objects.filter(listing=listing).values_list("id", flat=True))
            wanted = [
                models.Slot(
                    id=stable_id(title, day, hour),
                    listing=listing,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=minutes),
                    capacity=capacity,
                    price_amount=Decimal(price),
                )
                for offset in range(1, DAYS + 1)
                for hour in hours
                for day in [today + timedelta(days=offset)]
                if day.weekday() != CLOSED_WEEKDAY
                for start in [datetime.combine(day, time(hour), tzinfo=UTC)]
            ]
            missing = [slot for slot in wanted if slot.id not in existing]
            models.Slot.objects.bulk_create(missing)
            new_slots += len(missing)
        return new_listings, new_slots
