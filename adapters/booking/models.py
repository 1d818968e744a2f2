"""Booking tables. The slot rows carry the seat counters; these carry who booked what."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from adapters.catalog.models import CURRENCY_CHOICES, Slot
from domain.booking.booking import MAX_SEATS_PER_LINE, MIN_SEATS_PER_LINE, BookingStatus


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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at", "-id"], name="booking_customer_newest"),
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
