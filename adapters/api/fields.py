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


# Fields that take only their own JSON type. DRF converts: the number 12345678 to the
# string "12345678", "5" and 5.0 to the integer 5, "yes" and 1 to true, an integer to a
# UUID. The schema allows none of these, so each is refused like any other wrong type
# (400), and a client learns the contract from the first answer.


class StringField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class IntegerOnlyField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return int(super().to_internal_value(data))


class BooleanOnlyField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class UUIDStringField(serializers.UUIDField):
    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)
