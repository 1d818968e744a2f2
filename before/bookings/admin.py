"""Operators see bookings here and may cancel them (refunded by policy, like a customer's
own cancellation); bookings are never added, edited or deleted by hand."""

from django.contrib import admin, messages
from django.db import transaction

from before.bookings.models import Booking, BookingLine
from before.common.exceptions import Problem
from before.payments.models import Payment


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BookingLineInline(ReadOnlyInline):
    model = BookingLine
    fields = ("slot", "seats", "unit_price")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = (
        "provider",
        "payment_id",
        "amount",
        "currency",
        "status",
        "return_reason",
        "created_at",
    )
    verbose_name_plural = "Payments at the provider"


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("reference", "customer", "status", "total", "currency", "created_at")
    list_filter = ("status", "currency")
    search_fields = ("reference", "customer__username", "customer__email")
    date_hierarchy = "created_at"
    list_select_related = ("customer",)
    inlines = [BookingLineInline, PaymentInline]
    actions = ["cancel_bookings"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: deleting would lose the seat accounting

    @admin.action(description="Cancel selected bookings (refund by policy)")
    def cancel_bookings(self, request, queryset):
        cancelled = 0
        for booking_id in queryset.values_list("id", flat=True):
            try:
                with transaction.atomic():
                    booking = Booking.objects.select_for_update().get(id=booking_id)
                    booking.cancel()
                cancelled += 1
            except Problem as error:
                self.message_user(request, f"{booking}: {error.detail}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} booking(s).", messages.SUCCESS)
