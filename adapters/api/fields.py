"""JSON shapes shared by every context."""

from typing import Any

from rest_framework import serializers

from domain.shared.money import Money


class MoneySerializer(serializers.Serializer):
    """`{"amount": "25.00", "currency": "EUR"}`: the amount is a decimal string, never a float."""

    amount = serializers.CharField(
        help_text='Decimal string in the currency\'s minor unit, e.g. "25.00".'
    )
    currency = serializers.CharField(
        help_text="ISO 4217 code, e.g. EUR.", min_length=3, max_length=3
    )

    def to_representation(self, instance: Money) -> dict[str, Any]:
        return {"amount": str(instance.amount), "currency": instance.currency}
