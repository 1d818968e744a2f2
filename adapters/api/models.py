"""Stored responses for the `Idempotency-Key` header (see adapters/api/idempotency.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    # JSON text, not a JSON column: PostgreSQL's jsonb would reorder the keys, and a
    # replay must match the first response byte for byte.
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="idempotency_key_per_customer")
        ]

    def __str__(self) -> str:
        return self.key
