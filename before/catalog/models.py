"""Listings and slots. A slot carries its own seat counters, moved by bookings."""

import itertools
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from before.common.money import CURRENCY_CHOICES


class ListingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)


class Listing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # Refund tiers, longest notice first: [{"hours_before": 48, "refund_percent": 100}, ...]
    cancellation_policy = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        ordering = ["title", "id"]

    def __str__(self):
        return self.title

    def clean(self):
        if not self.title.strip():
            raise ValidationError({"title": "A listing needs a title."})
        tiers = self.cancellation_policy
        shape = 'Each tier looks like {"hours_before": 48, "refund_percent": 100}.'
        if not isinstance(tiers, list) or not all(
            isinstance(tier, dict)
            and isinstance(tier.get("hours_before"), int)
            and isinstance(tier.get("refund_percent"), int)
            for tier in tiers
        ):
            raise ValidationError({"cancellation_policy": shape})
        for tier in tiers:
            if tier["hours_before"] < 0 or not 0 <= tier["refund_percent"] <= 100:
                raise ValidationError(
                    {"cancellation_policy": "Hours are positive; a refund is 0 to 100 per cent."}
                )
        for earlier, later in itertools.pairwise(tiers):
            if later["hours_before"] >= earlier["hours_before"]:
                raise ValidationError(
                    {"cancellation_policy": "Order the tiers by decreasing hours before."}
                )
            if later["refund_percent"] > earlier["refund_percent"]:
                raise ValidationError(
                    {"cancellation_policy": "Less notice cannot earn a larger refund."}
                )

    def refund_percent(self, starts_at, now=None):
        """The percentage refunded when cancelling now a booking of a slot starting at
        `starts_at`: the first tier whose notice is exceeded, else nothing."""
        notice = starts_at - (now or timezone.now())
        for tier in self.cancellation_policy:
            if notice > timedelta(hours=tier["hours_before"]):
                return tier["refund_percent"]
        return 0


class Slot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    price = models.DecimalField(max_digits=12, decimal_places=2)
    seats_held = models.PositiveIntegerField(default=0, editable=False)
    seats_booked = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="before_slot_ends_after_starts"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=F("seats_held") + F("seats_booked")),
                name="before_slot_seats_within_capacity",
            ),
        ]

    def __str__(self):
        return f"{self.listing} at {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "A slot ends after it starts."})
        if self.capacity is not None and self.capacity < 1:
            raise ValidationError({"capacity": "A slot has at least one seat."})
        if self.price is not None and self.price < 0:
            raise ValidationError({"price": "A seat cannot cost less than nothing."})

    @property
    def seats_available(self):
        return self.capacity - self.seats_held - self.seats_booked

    @property
    def currency(self):
        return self.listing.currency

    def has_started(self, now=None):
        return self.starts_at <= (now or timezone.now())
