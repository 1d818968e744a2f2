"""The catalogue's JSON shapes. They translate domain objects; they decide nothing."""

from typing import Any

from rest_framework import serializers

from adapters.api.fields import MoneySerializer
from adapters.api.pagination import PageParameters


class RefundTierSerializer(serializers.Serializer):
    hours_before = serializers.IntegerField()
    refund_percent = serializers.IntegerField()


class ListingSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField()
    location = serializers.CharField()
    currency = serializers.CharField()
    cancellation_policy = RefundTierSerializer(source="cancellation_policy.tiers", many=True)


class SlotSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    listing_id = serializers.UUIDField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    capacity = serializers.IntegerField()
    seats_available = serializers.IntegerField()
    price = MoneySerializer()


class SlotWindowParameters(PageParameters):
    """`?from=&to=`: ISO 8601 times with an offset; `to` after `from`."""

    from_ = serializers.DateTimeField(
        required=False, help_text="Slots starting at or after (ISO 8601)."
    )
    to = serializers.DateTimeField(required=False, help_text="Slots starting before (ISO 8601).")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")  # `from` is a Python keyword
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts_from, starts_before = attrs.get("from"), attrs.get("to")
        if starts_from and starts_before and starts_before <= starts_from:
            raise serializers.ValidationError({"to": ["Must be after 'from'."]})
        return attrs
