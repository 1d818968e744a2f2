"""Payments at the provider, the refunds of them, and the inbox of provider events."""

from django.db import models
from django.utils import timezone

from before.common.money import CURRENCY_CHOICES
from before.payments import sandbox


class Payment(models.Model):
    """A payment for a booking: started at checkout, or reported by the provider."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"  # paid for the booking
        FAILED = "failed"  # declined; the customer may check out again
        RETURNED = "returned"  # refunded in full, see return_reason

    class ReturnReason(models.TextChoices):
        AMOUNT_MISMATCH = "amount_mismatch"
        ALREADY_PAID = "already_paid"
        SOLD_OUT_AFTER_EXPIRY = "sold_out_after_expiry"
        BOOKING_CANCELLED = "booking_cancelled"

    booking = models.ForeignKey(
        "before_bookings.Booking", on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.CharField(max_length=20)
    payment_id = models.CharField(max_length=100, help_text="The provider's id.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    pay_url = models.URLField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    return_reason = models.CharField(max_length=30, choices=ReturnReason.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "payment_id"], name="before_payment_once")
        ]

    def __str__(self):
        return self.payment_id

    def refund(self, amount, idempotency_key):
        """Refund `amount` of this payment at the provider (the same key never refunds
        twice) and record it."""
        refund_id = sandbox.refund(self.payment_id, amount, idempotency_key)
        return self.refunds.create(refund_id=refund_id, amount=amount, currency=self.currency)


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    refund_id = models.CharField(max_length=100, db_index=True, help_text="The provider's id.")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.refund_id


class ProviderEvent(models.Model):
    """Every event a provider sent, once, with what became of it.

    Written in the same transaction as the event's effect; the unique constraint turns
    a replayed event into a no-op.
    """

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=40)
    payment_id = models.CharField(max_length=100, blank=True, db_index=True)
    booking = models.ForeignKey(
        "before_bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="provider_events",
    )
    payload = models.JSONField(help_text="The event as the provider sent it.")
    outcome = models.CharField(max_length=20, default="received")
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="before_event_once")
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"

    def resolve(self, outcome, note="", booking=None):
        self.outcome = outcome
        self.note = note[:300]
        self.resolved_at = timezone.now()
        if booking is not None:
            self.booking = booking
        self.save(update_fields=["outcome", "note", "resolved_at", "booking"])
        return outcome
