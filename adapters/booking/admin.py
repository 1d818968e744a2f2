"""Operators see bookings here. Cancelling goes through the `cancel_booking` use case,
exactly as a customer's cancel does, so the refund policy and seat accounting apply;
the admin never writes a booking's status itself."""

from dependency_injector.wiring import Provide, inject
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.booking import models
from application.booking.cancel_booking import CancelBooking, CancelBookingCommand
from application.shared.errors import ServiceUnavailable
from domain.shared.errors import DomainError


class BookingLineInline(admin.TabularInline):
    model = models.BookingLine
    extra = 0
    can_delete = False
    fields = ("slot", "seats", "unit_price_amount")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class BookingPaymentInline(admin.TabularInline):
    model = models.BookingPayment
    extra = 0
    can_delete = False
    fields = ("provider", "payment_id", "amount", "status", "created_at", "pay_url")
    readonly_fields = fields
    verbose_name_plural = "Payments started at the provider"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ProviderEventInline(admin.TabularInline):
    model = models.ProviderEvent
    extra = 0
    can_delete = False
    fields = ("received_at", "provider", "event_id", "kind", "payment_id", "outcome", "note")
    readonly_fields = fields
    verbose_name_plural = "Events received from the provider"

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(models.Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = (
        "reference",
        "customer",
        "status",
        "total_amount",
        "currency",
        "created_at",
        "expires_at",
    )
    list_filter = ("status", ("created_at", admin.DateFieldListFilter), "currency")
    search_fields = ("reference", "customer__username", "customer__email")
    date_hierarchy = "created_at"
    list_select_related = ("customer",)
    inlines = [BookingLineInline, BookingPaymentInline, ProviderEventInline]
    actions = ["cancel_bookings"]
    readonly_fields = [field.name for field in models.Booking._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # bookings are made by customers through the shop

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # cancel instead: deleting would lose the seat accounting

    @admin.action(description="Cancel selected bookings (refund by policy)")
    @inject
    def cancel_bookings(
        self,
        request: HttpRequest,
        queryset: QuerySet[models.Booking],
        cancel_booking: CancelBooking = Provide["cancel_booking"],
    ) -> None:
        cancelled = 0
        for reference in queryset.values_list("reference", flat=True):
            try:
                cancel_booking(CancelBookingCommand(reference, customer_id=None))
                cancelled += 1
            except (DomainError, ServiceUnavailable) as error:
                self.message_user(request, f"{reference}: {error}", messages.WARNING)
        if cancelled:
            self.message_user(request, f"Cancelled {cancelled} booking(s).", messages.SUCCESS)


class NeedsReview(admin.SimpleListFilter):
    """Events that could not simply be applied: unmatched, deferred, or money sent back."""

    title = "needs review"
    parameter_name = "review"
    OUTCOMES = ("unmatched", "deferred", "returned")

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [("yes", "Needs review")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[models.ProviderEvent]
    ) -> QuerySet[models.ProviderEvent]:
        if self.value() == "yes":
            return queryset.filter(outcome__in=self.OUTCOMES)
        return queryset


@admin.register(models.ProviderEvent)
class ProviderEventAdmin(admin.ModelAdmin):
    """The payment inbox: every provider event with what became of it."""

    list_display = (
        "received_at",
        "provider",
        "kind",
        "event_id",
        "payment_id",
        "booking",
        "outcome",
        "note",
    )
    list_filter = (NeedsReview, "outcome", "provider", "kind")
    search_fields = ("event_id", "payment_id", "booking__reference")
    list_select_related = ("booking",)
    readonly_fields = [field.name for field in models.ProviderEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
