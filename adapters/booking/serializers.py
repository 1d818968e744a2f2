"""The booking JSON shapes. They translate; the domain decides."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adapters.api.fields import IntegerOnlyField, MoneySerializer, UUIDStringField
from application.booking.queries import BookingDetails
from domain.booking.booking import Booking, BookingStatus
from domain.booking.refunds import Refund


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 10})
class SeatsField(IntegerOnlyField):
    """Seats of one line. The schema states the domain's range; the domain checks it
    (a 422 naming the line), so both versions answer alike."""


class HoldLineSerializer(serializers.Serializer):
    slot_id = UUIDStringField()
    seats = SeatsField(help_text="1 to 10 seats in this slot.")


class HoldRequestSerializer(serializers.Serializer):
    lines = HoldLineSerializer(many=True, help_text="1 to 5 lines, each slot at most once.")


class BookingLineSerializer(serializers.Serializer):
    slot_id = serializers.UUIDField()
    seats = serializers.IntegerField()
    unit_price = MoneySerializer()


class RefundSerializer(serializers.Serializer):
    amount = serializers.CharField()
    currency = serializers.CharField()
    percent = serializers.IntegerField()

    def to_representation(self, instance: Refund) -> dict[str, Any]:
        return {
            "amount": str(instance.amount.amount),
            "currency": instance.amount.currency,
            "percent": instance.percent,
        }


class BookingSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=[status.value for status in BookingStatus])
    expires_at = serializers.DateTimeField()
    lines = BookingLineSerializer(many=True)
    total = MoneySerializer()
    created_at = serializers.DateTimeField()
    refund = RefundSerializer(required=False, help_text="Present when money comes back.")

    def to_representation(self, instance: Booking | BookingDetails) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.refund is None:
            data.pop("refund")
        return data


class CheckoutSerializer(serializers.Serializer):
    """Where to pay: send the customer to `pay_url`; the provider's webhook confirms."""

    payment_id = serializers.CharField()
    provider = serializers.CharField()
    pay_url = serializers.URLField()
    amount = MoneySerializer()
