"""Operators review payments, refunds and every event the provider sent."""

from django.contrib import admin

from before.payments.models import Payment, ProviderEvent, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("payment_id", "booking", "provider", "amount", "currency", "status")
    list_filter = ("status", "provider", "return_reason")
    search_fields = ("payment_id", "booking__reference")
    list_select_related = ("booking",)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("refund_id", "payment", "amount", "currency", "created_at")
    search_fields = ("refund_id", "payment__payment_id", "payment__booking__reference")
    list_select_related = ("payment",)


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "provider", "type", "event_id", "booking", "outcome", "note")
    list_filter = ("outcome", "provider", "type")
    search_fields = ("event_id", "payment_id", "booking__reference")
    list_select_related = ("booking",)
