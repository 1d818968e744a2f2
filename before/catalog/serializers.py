"""JSON shapes of listings and slots, and the slot window's query parameters."""

from rest_framework import serializers

from before.catalog.models import Listing, Slot
from before.common.money import money
from before.common.pagination import PageParameters


class ListingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Listing
        fields = ["id", "title", "description", "location", "currency", "cancellation_policy"]


class SlotSerializer(serializers.ModelSerializer):
    listing_id = serializers.UUIDField()
    seats_available = serializers.IntegerField()
    price = serializers.SerializerMethodField()

    class Meta:
        model = Slot
        fields = [
            "id",
            "listing_id",
            "starts_at",
            "ends_at",
            "capacity",
            "seats_available",
            "price",
        ]

    def get_price(self, slot) -> dict[str, str]:
        return money(slot.price, slot.listing.currency)


class SlotWindowParameters(PageParameters):
    """`?from=&to=`: ISO 8601 times with an offset; `to` after `from`."""

    to = serializers.DateTimeField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateTimeField(required=False)  # a Python keyword
        return fields

    def validate(self, attrs):
        starts_from, starts_before = attrs.get("from"), attrs.get("to")
        if starts_from and starts_before and starts_before <= starts_from:
            raise serializers.ValidationError({"to": ["Must be after 'from'."]})
        return attrs
