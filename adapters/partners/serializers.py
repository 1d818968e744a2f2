"""Partner API JSON shapes: they translate, the use cases decide."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from adapters.api.fields import BooleanOnlyField, StringField
from adapters.partners.formatters import FORMATTERS
from domain.partners.delivery import Delivery
from domain.partners.events import EVENT_TYPE_NAMES
from domain.partners.payload_options import ENVELOPE_KEYS, NAME, PAYLOAD_FIELDS
from domain.partners.subscription import Subscription


def masked(secret: str) -> str:
    return f"{secret[:10]}…{secret[-4:]}"


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(PAYLOAD_FIELDS)},
        "uniqueItems": True,
        "maxItems": len(PAYLOAD_FIELDS),
    }
)
class PayloadFieldsField(serializers.ListField):
    """The schema lists the booking fields; the domain refuses any other, or one twice (422)."""


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
    """The schema lists the envelope keys and what a new name may be; the domain refuses
    any other, and a name the envelope already has (422)."""


class PayloadOptionsSerializer(serializers.Serializer):
    """The shape of the options; what they may name the domain checks (422)."""

    minor_units = BooleanOnlyField(
        required=False, default=False, help_text="Amounts as integers in minor units (cents)."
    )
    fields = PayloadFieldsField(
        child=StringField(max_length=40),
        required=False,
        default=list,
        max_length=len(PAYLOAD_FIELDS),
        help_text=f"Only these booking fields, any of {', '.join(PAYLOAD_FIELDS)}; empty: all.",
    )
    rename = RenameField(
        child=StringField(max_length=40),
        required=False,
        default=dict,
        help_text=f'Envelope keys to rename, e.g. {{"type": "event"}}; any of '
        f"{', '.join(sorted(ENVELOPE_KEYS))}.",
    )


@extend_schema_field({"type": "string", "enum": sorted(FORMATTERS)})
class FormatField(StringField):
    """The schema lists the formats; the domain refuses any other (a 422 naming it)."""


@extend_schema_field({"type": "string", "enum": sorted(EVENT_TYPE_NAMES)})
class EventTypeField(StringField):
    """The schema lists the event types; the domain refuses any other (a 422)."""


@extend_schema_field(
    {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}
)
class WebhookUrlField(StringField):
    """The schema states the scheme; the domain refuses any other URL, and one it may not
    send to (the SSRF checks), with a 422 naming it."""


class SubscriptionInputSerializer(serializers.Serializer):
    url = WebhookUrlField(max_length=500)
    event_types = serializers.ListField(
        child=EventTypeField(max_length=40),
        required=False,
        default=list,
        max_length=len(EVENT_TYPE_NAMES),
        help_text=f"Any of {', '.join(sorted(EVENT_TYPE_NAMES))}; empty means all.",
    )
    format = FormatField(max_length=30, help_text=f"One of {', '.join(sorted(FORMATTERS))}.")
    is_active = BooleanOnlyField(required=False, default=True)
    payload_options = PayloadOptionsSerializer(
        required=False, help_text="How the payloads are shaped; a change replaces them whole."
    )


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    format = serializers.CharField()
    payload_options = PayloadOptionsSerializer()
    secret = serializers.CharField(
        help_text="In full only when created or rotated; masked otherwise."
    )
    is_active = serializers.BooleanField()
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="When the current run of failed attempts began."
    )
    disabled_reason = serializers.CharField(
        help_text="Why deliveries disabled it (a day of failures); set is_active to enable."
    )

    def to_representation(self, instance: Subscription) -> dict[str, Any]:
        reveal = self.context.get("reveal_secret", False)
        return {
            "id": str(instance.id),
            "url": instance.url,
            "event_types": sorted(instance.event_types),
            "format": instance.format,
            "payload_options": instance.payload_options.as_dict(),
            "secret": instance.secret if reveal else masked(instance.secret),
            "is_active": instance.is_active,
            "failing_since": _iso(instance.failing_since),
            "disabled_reason": instance.disabled_reason,
        }


class AttemptSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    attempted_at = serializers.DateTimeField()
    status_code = serializers.IntegerField(allow_null=True)
    duration_ms = serializers.IntegerField()
    error = serializers.CharField()
    response_excerpt = serializers.CharField()


class DeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    webhook_id = serializers.CharField()
    subscription_id = serializers.UUIDField()
    event_type = serializers.CharField()
    status = serializers.CharField()
    attempts = serializers.IntegerField(help_text="How many times it was sent.")
    last_status_code = serializers.IntegerField(allow_null=True)
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    attempt_log = AttemptSerializer(many=True, help_text="Every attempt, oldest first.")

    def to_representation(self, instance: Delivery) -> dict[str, Any]:
        last = instance.attempts[-1] if instance.attempts else None
        return {
            "id": str(instance.id),
            "webhook_id": instance.webhook_id,
            "subscription_id": str(instance.subscription_id),
            "event_type": instance.event_type,
            "status": instance.status.value,
            "attempts": len(instance.attempts),
            "last_status_code": last.status_code if last else None,
            "next_attempt_at": _iso(instance.next_attempt_at),
            "delivered_at": _iso(instance.delivered_at),
            "attempt_log": [
                {
                    "number": a.number,
                    "attempted_at": _iso(a.attempted_at),
                    "status_code": a.status_code,
                    "duration_ms": a.duration_ms,
                    "error": a.error,
                    "response_excerpt": a.response_excerpt,
                }
                for a in instance.attempts
            ],
        }


def _iso(value: Any) -> str | None:
    return serializers.DateTimeField().to_representation(value) if value else None
