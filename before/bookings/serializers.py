"""Booking JSON, and the hold request with the booking rules.

A hold request that cannot be read is a 400 (`is_valid`); one that reads well but
breaks a booking rule is a 422 naming the lines at fault, and too few seats is a 409
(both raised by `save()`, once the slots are locked).
"""

from django.db import transaction
from django.utils import timezone
from rest_framework import serializers

from before.bookings.exceptions import NotEnoughSeats
from before.bookings.models import MAX_LINES, MAX_SEATS_PER_LINE, MIN_SEATS_PER_LINE, Booking
from before.catalog.models import Slot
from before.common.exceptions import RuleViolation
from before.common.money import money

NO_SUCH_SLOT = "No bookable slot has this id."


class HoldLineSerializer(serializers.Serializer):
    slot_id = serializers.UUIDField()
    seats = serializers.IntegerField(help_text="1 to 10 seats in this slot.")


class HoldSerializer(serializers.Serializer):
    lines = HoldLineSerializer(many=True, help_text="1 to 5 lines, each slot at most once.")

    def create(self, validated_data):
        lines = validated_data["lines"]
        if not 1 <= len(lines) <= MAX_LINES:
            raise RuleViolation(
                f"A booking has 1 to {MAX_LINES} lines.",
                {"lines": [f"Give 1 to {MAX_LINES} lines."]},
            )
        with transaction.atomic():
            # Lock every slot asked for, in id order, so concurrent holds queue on
            # the same rows instead of overselling or deadlocking.
            slots = {
                slot.id: slot
                for slot in Slot.objects.select_for_update(of=("self",))
                .select_related("listing")
                .filter(id__in={line["slot_id"] for line in lines})
                .order_by("id")
            }
            unknown = {
                f"lines.{index}.slot_id": [NO_SUCH_SLOT]
                for index, line in enumerate(lines)
                if line["slot_id"] not in slots
            }
            if unknown:
                raise RuleViolation("Some slots cannot be booked.", unknown)
            self.check_rules(lines, slots)
            for line in lines:
                slot = slots[line["slot_id"]]
                if line["seats"] > slot.seats_available:
                    raise NotEnoughSeats(slot.id, line["seats"], slot.seats_available)
            return Booking.hold(
                validated_data["customer"],
                [(slots[line["slot_id"]], line["seats"]) for line in lines],
            )

    def check_rules(self, lines, slots):
        fields = {}
        seen = set()
        now = timezone.now()
        for index, line in enumerate(lines):
            slot = slots[line["slot_id"]]
            if not MIN_SEATS_PER_LINE <= line["seats"] <= MAX_SEATS_PER_LINE:
                fields[f"lines.{index}.seats"] = [
                    f"Book {MIN_SEATS_PER_LINE} to {MAX_SEATS_PER_LINE} seats per slot."
                ]
            if not slot.listing.is_published:
                fields[f"lines.{index}.slot_id"] = [NO_SUCH_SLOT]
            elif slot.id in seen:
                fields[f"lines.{index}.slot_id"] = [
                    "Each slot appears once; ask for more seats instead."
                ]
            elif slot.has_started(now):
                fields[f"lines.{index}.slot_id"] = ["This slot has already started."]
            seen.add(slot.id)
        currencies = {slots[line["slot_id"]].listing.currency for line in lines}
        if len(currencies) > 1:
            fields["lines"] = [
                f"All slots of a booking share one currency, not {sorted(currencies)}."
            ]
        if fields:
            raise RuleViolation("The booking request breaks the booking rules.", fields)


class BookingSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    refund = serializers.SerializerMethodField(help_text="Present when money comes back.")

    class Meta:
        model = Booking
        fields = ["reference", "status", "expires_at", "lines", "total", "created_at", "refund"]

    def get_lines(self, booking) -> list[dict]:
        return booking.lines_data()

    def get_total(self, booking) -> dict[str, str]:
        return money(booking.total, booking.currency)

    def get_refund(self, booking) -> dict | None:
        return booking.refund_data()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if data["refund"] is None:
            del data["refund"]
        return data
