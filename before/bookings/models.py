"""Bookings and their lines, and stored responses for the Idempotency-Key header.

A booking moves the seat counters of its slots as it goes: held seats when it is
held, booked seats once paid, both given back when it is cancelled or expires. Every
method that moves seats expects to run inside `transaction.atomic()` with the booking
row locked (`select_for_update`); it locks the slots itself, in id order.
"""

import secrets
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from before.bookings.exceptions import IllegalTransition
from before.bookings.signals import booking_status_changed
from before.catalog.models import Slot
from before.common.money import CURRENCY_CHOICES, money, round_amount

# No 0/O, 1/I/L, 5/S or 8/B: a reference survives a phone call and a bad font.
REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXYZ234679"
MIN_SEATS_PER_LINE = 1
MAX_SEATS_PER_LINE = 10
MAX_LINES = 5


def new_reference():
    return "PS-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def hold_duration():
    return timedelta(minutes=settings.HOLD_MINUTES)


class BookingQuerySet(models.QuerySet):
    def with_lines(self):
        return self.prefetch_related(
            models.Prefetch("lines", queryset=BookingLine.objects.order_by("id"))
        )

    def lapsed(self, now=None):
        """Held bookings whose hold has run out, oldest first."""
        return self.filter(
            status=Booking.Status.HELD, expires_at__lte=now or timezone.now()
        ).order_by("expires_at", "id")


class Booking(models.Model):
    class Status(models.TextChoices):
        HELD = "held"
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"
        EXPIRED = "expired"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=9, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    # What a cancellation refunds by the listings' policies (nothing when unpaid).
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    refund_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    _new_lines = ()  # a new booking's unsaved lines, saved with it

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="before_booking_customer"),
            models.Index(
                fields=["expires_at"], condition=Q(status="held"), name="before_booking_held"
            ),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_status = self.__dict__.get("status")  # what save() compares with

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        """Save, and send booking_status_changed when the booking is new or its status
        changed. A new booking's lines (from `hold`) are saved with it."""
        creating = self._state.adding
        old_status = None if creating else self._saved_status
        if not self.reference:
            self.reference = new_reference()
            while Booking.objects.filter(reference=self.reference).exists():
                self.reference = new_reference()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if creating and self._new_lines:
                # The lines go in with the booking, so receivers see a whole booking.
                BookingLine.objects.bulk_create(self._new_lines)
                self._new_lines = ()
            if creating or old_status != self.status:
                booking_status_changed.send(
                    sender=Booking, booking=self, old_status=old_status, new_status=self.status
                )
        self._saved_status = self.status

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._saved_status = self.status

    # ---- holding seats

    @classmethod
    def hold(cls, customer, requests):
        """A new held booking of `requests` (locked slot, seats) pairs, saved.

        The caller has checked the booking rules and locked the slots.
        """
        currency = requests[0][0].listing.currency
        total = sum((slot.price * seats for slot, seats in requests), Decimal(0))
        now = timezone.now()
        booking = cls(
            customer=customer,
            status=cls.Status.HELD,
            currency=currency,
            total=round_amount(total, currency),
            created_at=now,
            expires_at=now + hold_duration(),
        )
        booking._new_lines = [
            BookingLine(booking=booking, slot=slot, seats=seats, unit_price=slot.price)
            for slot, seats in requests
        ]
        for slot, seats in requests:
            slot.seats_held += seats
        Slot.objects.bulk_update([slot for slot, _ in requests], ["seats_held"])
        booking.save()
        return booking

    def hold_has_lapsed(self, now=None):
        return self.status == self.Status.HELD and (now or timezone.now()) >= self.expires_at

    def lock_slots(self, lines):
        """The slots of `lines`, locked in id order, by id."""
        slots = (
            Slot.objects.select_for_update(of=("self",))
            .select_related("listing")
            .filter(id__in=[line.slot_id for line in lines])
            .order_by("id")
        )
        return {slot.id: slot for slot in slots}

    # ---- steps

    def confirm(self):
        """Paid: the held seats become booked."""
        if self.status != self.Status.HELD:
            raise IllegalTransition(
                f"Cannot confirm booking {self.reference}: it is {self.status}."
            )
        lines = list(self.lines.all())
        slots = self.lock_slots(lines)
        for line in lines:
            slots[line.slot_id].seats_held -= line.seats
            slots[line.slot_id].seats_booked += line.seats
        Slot.objects.bulk_update(slots.values(), ["seats_held", "seats_booked"])
        self.status = self.Status.CONFIRMED
        self.save()

    def cancel(self):
        """Give the seats back. A paid booking earns the refund its listings' policies
        allow, recorded here; the payments app sends it to the provider."""
        if self.status not in (self.Status.HELD, self.Status.CONFIRMED):
            raise IllegalTransition(f"Cannot cancel booking {self.reference}: it is {self.status}.")
        lines = list(self.lines.all())
        slots = self.lock_slots(lines)
        for line in lines:
            if self.status == self.Status.CONFIRMED:
                slots[line.slot_id].seats_booked -= line.seats
            else:
                slots[line.slot_id].seats_held -= line.seats
        Slot.objects.bulk_update(slots.values(), ["seats_held", "seats_booked"])
        if self.status == self.Status.CONFIRMED:
            self.refund_amount, self.refund_percent = self._refund_due(lines, slots)
        self.status = self.Status.CANCELLED
        self.save()

    def expire(self, now=None):
        """The hold lapsed unpaid: the seats go back on sale."""
        if not self.hold_has_lapsed(now):
            raise IllegalTransition(f"Cannot expire booking {self.reference}: it is {self.status}.")
        lines = list(self.lines.all())
        slots = self.lock_slots(lines)
        for line in lines:
            slots[line.slot_id].seats_held -= line.seats
        Slot.objects.bulk_update(slots.values(), ["seats_held"])
        self.status = self.Status.EXPIRED
        self.save()

    def _refund_due(self, lines, slots):
        """(amount, percent) refunded now, each line by its listing's policy; (None,
        None) when nothing comes back."""
        now = timezone.now()
        shares = []
        for line in lines:
            slot = slots[line.slot_id]
            percent = slot.listing.refund_percent(slot.starts_at, now)
            shares.append(
                (round_amount(line.unit_price * line.seats * percent / 100, self.currency), percent)
            )
        amount = sum((share for share, _ in shares), Decimal(0))
        if amount == 0:
            return None, None
        percents = {percent for _, percent in shares}
        # Lines in different tiers report the share of the total that comes back.
        percent = percents.pop() if len(percents) == 1 else int(amount * 100 / self.total)
        return amount, percent

    # ---- JSON

    def lines_data(self):
        return [
            {
                "slot_id": str(line.slot_id),
                "seats": line.seats,
                "unit_price": money(line.unit_price, self.currency),
            }
            for line in self.lines.all()
        ]

    def refund_data(self):
        if self.refund_amount is None:
            return None
        return {**money(self.refund_amount, self.currency), "percent": self.refund_percent}

    def webhook_data(self):
        """What partners are told about this booking, in every payload format."""
        return {
            "reference": self.reference,
            "status": self.status,
            "lines": self.lines_data(),
            "total": money(self.total, self.currency),
            "refund": self.refund_data(),
        }


class BookingLine(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="booking_lines")
    seats = models.PositiveSmallIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "slot"], name="before_line_slot_once")
        ]

    def __str__(self):
        return f"{self.seats} seat(s) in {self.slot}"


class IdempotencyKey(models.Model):
    """The first successful response to a POST with this customer's Idempotency-Key."""

    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the method, path and body.")
    status_code = models.PositiveSmallIntegerField()
    # JSON as text: a replay must match the first response byte for byte.
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "key"], name="before_idempotency_key")
        ]

    def __str__(self):
        return self.key
