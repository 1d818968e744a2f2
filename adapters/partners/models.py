"""Partner tables: partners, subscriptions, and the delivery outbox with its attempts."""

import uuid

from django.db import models
from django.db.models import Q

from domain.partners.delivery import DeliveryStatus


class Partner(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # SHA-256 of the API key: the key itself is shown once, when made, and never stored.
    api_key_hash = models.CharField(max_length=64, unique=True)
    api_key_prefix = models.CharField(
        max_length=12, help_text="The key's first characters, to tell keys apart."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.URLField(max_length=500)
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every event.")
    format = models.CharField(max_length=30)
    payload_options = models.JSONField(
        default=dict, blank=True, help_text="minor_units, fields, rename; empty: none."
    )
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="When the current run of failed attempts began."
    )
    disabled_reason = models.CharField(
        max_length=300, blank=True, help_text="Why the relay disabled it (a day of failures)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"


class Delivery(models.Model):
    Status = models.TextChoices("Status", [(s.name, s.value) for s in DeliveryStatus])

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook_id = models.CharField(max_length=40, unique=True)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40)
    content_type = models.CharField(max_length=60)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default="pending")
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    round_starts_at = models.PositiveIntegerField(default=0)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The sweep reads only pending deliveries, oldest due first (`ORDER BY
            # next_attempt_at, id`): a small index in that very order, so the sweep reads
            # its batch off the index without sorting. Built concurrently by migration
            # 0002, which replaced 0001's `delivery_due` on `next_attempt_at` alone.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="delivery_due_sweep",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveIntegerField()
    attempted_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.CharField(max_length=300, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="delivery_attempt_once")
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"
