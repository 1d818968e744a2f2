"""Partner API JSON: subscriptions (their secret masked unless just made or rotated) and
deliveries with every attempt.

A body of the wrong shape is a 400; a subscription the model refuses in `full_clean()`
(unsafe URL, unknown format or event type, payload options naming what is not there)
is a 422 naming the field."""

from typing import Any

from django.core.exceptions import ValidationError as ModelValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from before.common.exceptions import RuleViolation
from before.partners.models import Delivery, DeliveryAttempt, Subscription
from before.partners.validators import (
    ENVELOPE_KEYS,
    EVENT_TYPES,
    NAME,
    PAYLOAD_FIELDS,
    default_payload_options,
    payload_option_errors,
)


def text(max_length: int, **options: Any) -> serializers.CharField:
    """A string taken as sent, not trimmed: DRF checks only what the schema states (1 to
    `max_length` characters), and a value with spaces around it is the model's to refuse
    (422), as it refuses any other it does not know."""
    return serializers.CharField(max_length=max_length, trim_whitespace=False, **options)


class Boolean(serializers.BooleanField):
    """`true` or `false` only: DRF's BooleanField takes "yes", 1 and "on" too, which the
    schema (a boolean) refuses."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


# What the model accepts, stated in the schema too; the serializer checks only the shape,
# so a value off these lists is still the model's 422, not a 400.
@extend_schema_field({"type": "string", "enum": list(Subscription.Format.values)})
class FormatField(serializers.CharField):
    """One of the model's formats."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(EVENT_TYPES)},
        "maxItems": len(EVENT_TYPES),
    }
)
class EventTypesField(serializers.ListField):
    """Event types the model knows, each any number of times."""


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(PAYLOAD_FIELDS)},
        "uniqueItems": True,
        "maxItems": len(PAYLOAD_FIELDS),
    }
)
class PayloadFieldsField(serializers.ListField):
    """Booking fields the model knows, each once."""


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            key: {"type": "string", "pattern": f"^{NAME.pattern}$"} for key in sorted(ENVELOPE_KEYS)
        },
        "additionalProperties": False,
    }
)
class RenameField(serializers.DictField):
    """Envelope keys to new names of letters, digits, _ . or -."""


class PayloadOptionsSerializer(serializers.Serializer):
    minor_units = Boolean(
        required=False, default=False, help_text="Amounts as integers in minor units (cents)."
    )
    fields = PayloadFieldsField(
        child=text(40),
        required=False,
        default=list,
        max_length=len(PAYLOAD_FIELDS),
        help_text=f"Only these booking fields, any of {', '.join(PAYLOAD_FIELDS)}; empty: all.",
    )
    rename = RenameField(
        child=text(40),
        required=False,
        default=dict,
        help_text=f'Envelope keys to rename, e.g. {{"type": "event"}}; any of '
        f"{', '.join(sorted(ENVELOPE_KEYS))}.",
    )


class SubscriptionSerializer(serializers.ModelSerializer):
    # Plain fields here: what the model decides (choices, validators) it says in full_clean().
    url = text(500)
    event_types = EventTypesField(
        child=text(40),
        required=False,
        default=list,
        max_length=len(EVENT_TYPES),
        help_text=f"Any of {', '.join(EVENT_TYPES)}; empty means all.",
    )
    format = FormatField(
        max_length=30,
        trim_whitespace=False,
        help_text=f"One of {', '.join(Subscription.Format.values)}.",
    )
    payload_options = PayloadOptionsSerializer(
        required=False, help_text="How the payloads are shaped; a change replaces them whole."
    )
    secret = serializers.CharField(
        read_only=True, help_text="In full only when created or rotated; masked otherwise."
    )
    is_active = Boolean(required=False)

    class Meta:
        model = Subscription
        fields = ["id", "url", "event_types", "format", "payload_options", "secret", "is_active"]

    def validate_event_types(self, value: list[str]) -> list[str]:
        return sorted(set(value))

    def validate_payload_options(self, value: dict[str, Any]) -> dict[str, Any]:
        return {**default_payload_options(), **value}  # a PATCH replaces them whole

    def to_representation(self, instance: Subscription) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("reveal_secret"):
            data["secret"] = instance.masked_secret
        return data

    def create(self, validated_data: dict[str, Any]) -> Subscription:
        return self._clean_and_save(Subscription(**validated_data))

    def update(self, instance: Subscription, validated_data: dict[str, Any]) -> Subscription:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._clean_and_save(instance)

    def _clean_and_save(self, subscription: Subscription) -> Subscription:
        # Checked before full_clean() too, for a pointer into the options.
        if errors := payload_option_errors(subscription.payload_options):
            raise RuleViolation("Invalid payload options.", errors)
        try:
            subscription.full_clean()
        except ModelValidationError as error:
            raise RuleViolation(error.messages[0], error.message_dict) from error
        subscription.save()
        return subscription


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = [
            "number",
            "attempted_at",
            "status_code",
            "duration_ms",
            "error",
            "response_excerpt",
        ]


class DeliverySerializer(serializers.ModelSerializer):
    """Reads the attempts through `attempts.all()`: prefetch them for a list."""

    attempts = serializers.SerializerMethodField(help_text="How many times it was sent.")
    last_status_code = serializers.SerializerMethodField()
    attempt_log = DeliveryAttemptSerializer(
        source="attempts", many=True, read_only=True, help_text="Every attempt, oldest first."
    )

    class Meta:
        model = Delivery
        fields = [
            "id",
            "webhook_id",
            "subscription_id",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "attempt_log",
        ]

    def get_attempts(self, delivery: Delivery) -> int:
        return len(delivery.attempts.all())

    def get_last_status_code(self, delivery: Delivery) -> int | None:
        attempts = list(delivery.attempts.all())
        return attempts[-1].status_code if attempts else None
