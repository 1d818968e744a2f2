"""Partners, their webhook subscriptions, and every delivery with its attempts.

The rules live on the models: a subscription validates its own URL (SSRF), format,
event types and payload options in `full_clean()`, rotates its own secret and knows
which secrets sign; a delivery records its attempts and works out its next retry.
"""

import base64
import hashlib
import json
import random
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

from before.partners.validators import (
    EVENT_TYPES,
    default_payload_options,
    validate_event_types,
    validate_payload_options,
    validate_webhook_url,
)

TEST_EVENT_TYPE = "portside.test"  # what "send a test event" sends; not subscribable
API_KEY_PREFIX = "pk_"
SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix, not a secret
# After a rotation the old secret keeps signing beside the new one for this long.
ROTATION_OVERLAP = timedelta(hours=24)
# The Standard Webhooks retry schedule: the wait after the 1st, 2nd, … failed attempt.
# After the 8th failure the delivery is dead. Each wait is spread by ±10 %.
RETRY_SCHEDULE = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
RETRY_JITTER = 0.1
# A delivery is sent by the request that made it, right after the commit; should that
# request die first, the retry task picks it up once this has passed.
SEND_GRACE = timedelta(minutes=1)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def new_webhook_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class PartnerManager(models.Manager["Partner"]):
    def create_with_key(self, name: str) -> tuple["Partner", str]:
        """A new partner and its API key, which is returned here and never again."""
        partner = self.model(name=name)
        key = partner.set_api_key()
        partner.save()
        return partner, key

    def get_by_key(self, key: str) -> "Partner | None":
        return self.filter(api_key_hash=hash_api_key(key), is_active=True).first()


class Partner(models.Model):
    name = models.CharField(max_length=100, unique=True)
    # SHA-256 of the API key: the key itself is shown once, when made, and never stored.
    api_key_hash = models.CharField(max_length=64, unique=True, editable=False)
    api_key_prefix = models.CharField(
        max_length=12, editable=False, help_text="The key's first characters, to tell keys apart."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PartnerManager()

    # The partner API puts the partner in `request.user`: DRF asks it this.
    is_authenticated = True

    def __str__(self) -> str:
        return self.name

    def set_api_key(self) -> str:
        """Give the partner a new API key (not saved yet); the key, to show once."""
        key = new_api_key()
        self.api_key_hash, self.api_key_prefix = hash_api_key(key), key[:10]
        return key


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def wanting(self, event_type: str) -> list["Subscription"]:
        """Active subscriptions of active partners that want `event_type`. The event
        filter is applied here, in Python: SQLite cannot search a JSON list."""
        active = self.filter(is_active=True, partner__is_active=True).select_related("partner")
        return [subscription for subscription in active if subscription.wants(event_type)]


class Subscription(models.Model):
    class Format(models.TextChoices):
        STANDARD_WEBHOOKS = "standard-webhooks", "Standard Webhooks (JSON)"
        CLOUDEVENTS = "cloudevents", "CloudEvents 1.0 (JSON)"
        LEGACY_XML = "legacy-xml", "Legacy XML"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="subscriptions")
    url = models.CharField(max_length=500, validators=[validate_webhook_url])
    event_types = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_event_types],
        help_text=f"Any of {', '.join(EVENT_TYPES)}; empty means every event.",
    )
    format = models.CharField(max_length=30, choices=Format.choices)
    payload_options = models.JSONField(
        default=default_payload_options,
        blank=True,
        validators=[validate_payload_options],
        help_text="minor_units (amounts in cents), fields (only these), rename (envelope keys).",
    )
    secret = models.CharField(max_length=100, default=new_secret)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"

    @property
    def masked_secret(self) -> str:
        return f"{self.secret[:10]}…{self.secret[-4:]}"

    def wants(self, event_type: str) -> bool:
        return self.is_active and (not self.event_types or event_type in self.event_types)

    def rotation_overlaps(self) -> bool:
        """True while the last rotation's old secret still signs."""
        expires = self.previous_secret_expires_at
        return expires is not None and timezone.now() < expires

    def rotate_secret(self) -> None:
        """Sign with a new secret from now on, and with the old one too for a day.
        One rotation at a time: check `rotation_overlaps()` first."""
        self.previous_secret = self.secret
        self.previous_secret_expires_at = timezone.now() + ROTATION_OVERLAP
        self.secret = new_secret()
        self.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])

    def signing_secrets(self) -> list[str]:
        """Every secret a delivery sent now is signed with, newest first."""
        if self.previous_secret and self.rotation_overlaps():
            return [self.secret, self.previous_secret]
        return [self.secret]


class DeliveryQuerySet(models.QuerySet["Delivery"]):
    def due(self, now: datetime) -> "DeliveryQuerySet":
        """Pending deliveries whose next attempt has come, for active subscriptions: a
        paused subscription's deliveries wait instead of using up their retries."""
        return self.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            subscription__is_active=True,
            subscription__partner__is_active=True,
        ).order_by("next_attempt_at")


class Delivery(models.Model):
    """One event for one subscription. The payload is kept as the JSON text it was
    written as (jsonb would reorder its keys), and rendered in the subscription's format
    at each attempt; the `webhook_id` stays the same on every attempt."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        DEAD = "dead", "Dead"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook_id = models.CharField(max_length=40, unique=True, default=new_webhook_id)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40)
    booking_reference = models.CharField(max_length=20, blank=True)
    payload = models.TextField(help_text="The event's data, as JSON text.")
    occurred_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failed_attempts = models.PositiveIntegerField(
        default=0, help_text="Failures in a row since it was (re)queued; sets the next wait."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="before_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.next_attempt_at is None:
            self.next_attempt_at = timezone.now() + SEND_GRACE
        super().save(*args, **kwargs)

    @property
    def data(self) -> Any:
        return json.loads(self.payload)

    def record_attempt(
        self,
        *,
        attempted_at: datetime,
        status_code: int | None,
        duration_ms: int,
        error: str = "",
        response_excerpt: str = "",
    ) -> "DeliveryAttempt":
        """Keep the attempt; then the delivery is delivered, waits for a retry, or is dead."""
        attempt = self.attempts.create(
            number=self.attempts.count() + 1,
            attempted_at=attempted_at,
            status_code=status_code,
            duration_ms=duration_ms,
            error=error[:300],
            response_excerpt=response_excerpt[:500],
        )
        if attempt.succeeded:
            self.status = self.Status.DELIVERED
            self.delivered_at = attempted_at
            self.next_attempt_at = None
        else:
            self.failed_attempts += 1
            if self.failed_attempts > len(RETRY_SCHEDULE):
                self.status = self.Status.DEAD
                self.next_attempt_at = None
            else:
                wait = RETRY_SCHEDULE[self.failed_attempts - 1]
                spread = random.uniform(-RETRY_JITTER, RETRY_JITTER)  # noqa: S311 - jitter
                self.next_attempt_at = attempted_at + wait * (1 + spread)
        self.save(update_fields=["status", "failed_attempts", "next_attempt_at", "delivered_at"])
        return attempt

    def redeliver(self) -> None:
        """Send again, whatever happened before, with a fresh retry schedule."""
        self.status = self.Status.PENDING
        self.failed_attempts = 0
        self.next_attempt_at = timezone.now() + SEND_GRACE
        self.save(update_fields=["status", "failed_attempts", "next_attempt_at"])

    def claim_for_retry(self) -> bool:
        """Push the next attempt back by the grace period, unless another run of the retry
        task did so first: False then, and this run leaves the delivery alone."""
        claimed = Delivery.objects.filter(
            pk=self.pk, status=self.Status.PENDING, next_attempt_at=self.next_attempt_at
        ).update(next_attempt_at=timezone.now() + SEND_GRACE)
        return claimed == 1


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

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
