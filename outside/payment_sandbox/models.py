"""The sandbox provider's own records: payments, refunds and the events it sends."""

import secrets

from django.db import models


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class SandboxPayment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.CharField(primary_key=True, max_length=40, editable=False)
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    description = models.CharField(max_length=200, blank=True)
    metadata = models.JSONField(default=dict)
    webhook_url = models.URLField(max_length=500)
    return_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.id


class SandboxRefund(models.Model):
    id = models.CharField(primary_key=True, max_length=40, editable=False)
    idempotency_key = models.CharField(max_length=255, unique=True)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.id


class SandboxEvent(models.Model):
    id = models.CharField(primary_key=True, max_length=40, editable=False)
    payment = models.ForeignKey(SandboxPayment, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.type} {self.id}"
