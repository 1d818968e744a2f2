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


class StringField(serializers.CharField):
    """A string, and only a string. DRF's CharField takes the number 12345678 as
    "12345678"; the schema says `type: string`, so a number is refused like any other
    wrong type (400)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))
