"""JSON shapes of the payments endpoints."""

from rest_framework import serializers


class CheckoutSerializer(serializers.Serializer):
    """Where to pay: the customer goes to `pay_url`; the provider's webhook confirms."""

    payment_id = serializers.CharField()
    provider = serializers.CharField()
    pay_url = serializers.URLField()
    amount = serializers.DictField(child=serializers.CharField())
