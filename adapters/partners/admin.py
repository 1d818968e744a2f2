"""Operators see partners, subscriptions and every delivery with its attempts."""

from typing import Any

from dependency_injector.wiring import Provide, inject
from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.partners import models
from adapters.partners.auth import hash_key, new_api_key
from adapters.partners.formatters import FORMATTERS
from adapters.partners.serializers import PayloadOptionsSerializer
from application.partners.redeliver import Redeliver, RedeliverCommand
from domain.partners.errors import InvalidSubscription
from domain.partners.events import EVENT_TYPE_NAMES
from domain.partners.payload_options import PayloadOptions
from domain.partners.signing import new_secret


@admin.register(models.Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ("name", "api_key_prefix", "is_active", "created_at")
    readonly_fields = ("api_key_hash", "api_key_prefix")
    search_fields = ("name",)

    def save_model(
        self, request: HttpRequest, obj: models.Partner, form: Any, change: bool
    ) -> None:
        """A new partner gets its API key here, shown once in the message."""
        if change:
            super().save_model(request, obj, form, change)
            return
        key = new_api_key()
        obj.api_key_hash, obj.api_key_prefix = hash_key(key), key[:10]
        super().save_model(request, obj, form, change)
        self.message_user(
            request, f"API key for {obj.name}, shown only now: {key}", messages.WARNING
        )


class SubscriptionForm(forms.ModelForm):
    """The admin may only store what the domain accepts: known formats, event types and
    payload options."""

    format = forms.ChoiceField(choices=[(name, name) for name in sorted(FORMATTERS)])

    class Meta:
        model = models.Subscription
        fields = ["partner", "url", "event_types", "format", "payload_options", "is_active"]

    def clean_event_types(self) -> Any:
        value = self.cleaned_data["event_types"]
        if not isinstance(value, list) or not set(map(str, value)) <= EVENT_TYPE_NAMES:
            raise forms.ValidationError(f"A list of any of {', '.join(sorted(EVENT_TYPE_NAMES))}.")
        return value

    def clean_payload_options(self) -> Any:
        """The API's shape check, then the domain's rules; stored as the domain wrote it."""
        shape = PayloadOptionsSerializer(data=self.cleaned_data["payload_options"] or {})
        if not shape.is_valid():
            raise forms.ValidationError(str(shape.errors))
        try:
            return PayloadOptions(**shape.validated_data).as_dict()
        except InvalidSubscription as refused:
            raise forms.ValidationError([fault.message for fault in refused.faults]) from refused


@admin.register(models.Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    form = SubscriptionForm
    list_display = ("partner", "url", "format", "event_types", "is_active", "disabled_reason")
    list_filter = ("format", "is_active")
    search_fields = ("url", "partner__name")
    exclude = ("secret", "previous_secret")
    readonly_fields = ("failing_since", "disabled_reason")

    def save_model(
        self, request: HttpRequest, obj: models.Subscription, form: Any, change: bool
    ) -> None:
        """A subscription added here gets its signing secret, shown once; one enabled
        here starts with a clean slate, as when its partner enables it."""
        if obj.is_active:
            obj.failing_since, obj.disabled_reason = None, ""
        if not change:
            obj.secret = new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request, f"Signing secret, shown only now: {obj.secret}", messages.WARNING
            )


class AttemptInline(admin.TabularInline):
    model = models.DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = (
        "number",
        "attempted_at",
        "status_code",
        "duration_ms",
        "error",
        "response_excerpt",
    )

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "webhook_id",
        "event_type",
        "subscription",
        "status",
        "next_attempt_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("webhook_id", "subscription__partner__name")
    list_select_related = ("subscription__partner",)
    readonly_fields = [field.name for field in models.Delivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["redeliver"]

    @admin.action(description="Redeliver selected deliveries (same body, same webhook-id)")
    @inject
    def redeliver(
        self,
        request: HttpRequest,
        queryset: QuerySet[models.Delivery],
        redeliver: Redeliver = Provide["redeliver"],
    ) -> None:
        """What a partner can ask through the API, an operator can do here, e.g. after
        a partner's outage left deliveries dead."""
        rows = queryset.values_list("id", "subscription__partner_id")
        for delivery_id, partner_id in rows:
            redeliver(RedeliverCommand(partner_id=partner_id, delivery_id=delivery_id))
        self.message_user(request, f"Queued {len(rows)} deliveries again.", messages.SUCCESS)
