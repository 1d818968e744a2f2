"""Booking tables. The slot rows carry the seat counters; these carry who booked what."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from adapters.catalog.models import CURRENCY_CHOICES, Slot
from domain.booking.booking import MAX_SEATS_PER_LINE, MIN_SEATS_PER_LINE, BookingStatus
from domain.booking.payments import PaymentStatus


class Booking(models.Model):
    Status = models.TextChoices("Status", [(status.name, status.value) for status in BookingStatus])

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=9, unique=True)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    total_amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    payment_provider = models.CharField(max_length=20, blank=True)
    payment_id = models.CharField(max_length=100, blank=True)
    payment_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refund_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    refund_id = models.CharField(max_length=100, blank=True)
    # Payments sent back in full ([{"provider", "payment_id", "amount", "reason", "refund_id"}]):
    # part of the aggregate, read and written with it, so a JSON column.
    returned_payments = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="booking_customer_newest"),
            models.Index(fields=["payment_id"], name="booking_payment_id"),
            # The expiry sweep reads only held bookings: keep that index small.
            models.Index(
                fields=["expires_at"], condition=Q(status="held"), name="booking_held_expiry"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in BookingStatus]),
                name="booking_status_known",
            ),
            models.CheckConstraint(
                condition=Q(total_amount__gte=0), name="booking_total_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class BookingLine(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="booking_lines")
    seats = models.PositiveSmallIntegerField()
    unit_price_amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "slot"], name="booking_line_slot_once"),
            models.CheckConstraint(
                condition=Q(seats__gte=MIN_SEATS_PER_LINE) & Q(seats__lte=MAX_SEATS_PER_LINE),
                name="booking_line_seats_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seats} seat(s) in {self.slot}"


class BookingPayment(models.Model):
    """A payment started at the provider for a booking (checkout), with its outcome."""

    Status = models.TextChoices("Status", [(status.name, status.value) for status in PaymentStatus])

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="payments")
    provider = models.CharField(max_length=20)
    payment_id = models.CharField(max_length=100)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    pay_url = models.URLField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "payment_id"], name="booking_payment_once")
        ]

    def __str__(self) -> str:
        return self.payment_id


class ProviderEvent(models.Model):
    """The inbox: every event a payment provider sent, once, with what became of it.

    The row is written in the same transaction as the event's effect; the unique
    constraint turns a replay into a no-op.
    """

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=40, blank=True)
    payment_id = models.CharField(max_length=100, blank=True, db_index=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="provider_events"
    )
    event = models.JSONField(help_text="The provider-neutral event as Portside understood it.")
    outcome = models.CharField(max_length=20, default="received")
    note = models.CharField(max_length=300, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"
