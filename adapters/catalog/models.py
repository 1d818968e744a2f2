"""Catalogue tables. The database repeats the domain's invariants as constraints, so
no admin form, script or bug can store a slot the domain would refuse."""

import uuid

from django.db import models
from django.db.models import F, Q

from domain.shared.money import MINOR_UNITS

CURRENCY_CHOICES = [(code, code) for code in sorted(MINOR_UNITS)]


class Listing(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    location = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    # [{"hours_before": 48, "refund_percent": 100}, ...]; checked by the domain's
    # CancellationPolicy in the admin's form and by the repository when read.
    cancellation_policy = models.JSONField(default=list, blank=True)
    is_published = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        indexes = [
            models.Index(fields=["is_published", "title", "id"], name="listing_published_title")
        ]

    def __str__(self) -> str:
        return self.title


class Slot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()
    price_amount = models.DecimalField(max_digits=12, decimal_places=2)
    seats_held = models.PositiveIntegerField(default=0, editable=False)
    seats_booked = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["listing", "starts_at", "id"], name="slot_listing_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="slot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_starts"
            ),
            models.CheckConstraint(
                condition=Q(price_amount__gte=0), name="slot_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(seats_held__gte=0)
                & Q(seats_booked__gte=0)
                & Q(capacity__gte=F("seats_held") + F("seats_booked")),
                name="slot_seats_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} at {self.starts_at:%Y-%m-%d %H:%M}"
