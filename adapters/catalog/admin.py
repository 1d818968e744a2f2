"""Operators manage the catalogue here: listings with their slots inline."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.catalog import models


class SlotInline(admin.TabularInline):
    model = models.Slot
    extra = 0
    fields = ("starts_at", "ends_at", "capacity", "price_amount", "seats_held", "seats_booked")
    readonly_fields = ("seats_held", "seats_booked")
    ordering = ("starts_at",)
    show_change_link = True


@admin.register(models.Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "location", "currency", "is_published", "updated_at")
    list_filter = ("is_published", "currency")
    search_fields = ("title", "location", "description")
    inlines = [SlotInline]


@admin.register(models.Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = (
        "listing",
        "starts_at",
        "capacity",
        "seats_held",
        "seats_booked",
        "price_amount",
    )
    list_filter = ("listing__currency", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("listing__title",)
    date_hierarchy = "starts_at"
    list_select_related = ("listing",)
    readonly_fields = ("seats_held", "seats_booked")

    def get_queryset(self, request: HttpRequest) -> QuerySet[models.Slot, Any]:
        return super().get_queryset(request).select_related("listing")
