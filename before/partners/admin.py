"""Operators manage partners and subscriptions, and see every delivery with its attempts."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from before.partners import webhooks
from before.partners.models import Delivery, DeliveryAttempt, Partner, Subscription


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "api_key_prefix", "is_active", "created_at"]
    readonly_fields = ["api_key_prefix", "created_at"]
    search_fields = ["name"]

    def save_model(self, request: HttpRequest, obj: Partner, form: Any, change: bool) -> None:
        """A partner added here gets its API key, shown once in the message."""
        key = None if change else obj.set_api_key()
        super().save_model(request, obj, form, change)
        if key:
            self.message_user(
                request, f"API key for {obj.name}, shown only now: {key}", messages.WARNING
            )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["partner", "url", "format", "event_types", "is_active", "created_at"]
    list_filter = ["format", "is_active"]
    list_select_related = ["partner"]
    search_fields = ["url", "partner__name"]
    exclude = ["secret", "previous_secret"]
    readonly_fields = ["previous_secret_expires_at"]

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        """A subscription added here gets its signing secret, shown once in the message."""
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request, f"Signing secret, shown only now: {obj.secret}", messages.WARNING
            )


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = [
        field.name for field in DeliveryAttempt._meta.fields if field.name not in {"id", "delivery"}
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "webhook_id",
        "event_type",
        "booking_reference",
        "subscription",
        "status",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "event_type"]
    list_select_related = ["subscription__partner"]
    search_fields = ["webhook_id", "booking_reference", "subscription__partner__name"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Send the selected deliveries again")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        deliveries = list(queryset)
        for delivery in deliveries:
            delivery.redeliver()
        webhooks.send_after_commit(deliveries)
        self.message_user(request, f"{len(deliveries)} delivery(ies) sent again.")
