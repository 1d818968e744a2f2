"""Operators manage listings here, with their slots inline."""

from django.contrib import admin

from before.catalog.models import Listing, Slot


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    fields = ("starts_at", "ends_at", "capacity", "price", "seats_held", "seats_booked")
    readonly_fields = ("seats_held", "seats_booked")
    ordering = ("starts_at",)
    show_change_link = True


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "location", "currency", "is_published", "updated_at")
    list_filter = ("is_published", "currency")
    search_fields = ("title", "location", "description")
    inlines = [SlotInline]


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("listing", "starts_at", "capacity", "seats_held", "seats_booked", "price")
    list_filter = ("listing__currency",)
    search_fields = ("listing__title",)
    date_hierarchy = "starts_at"
    list_select_related = ("listing",)
    readonly_fields = ("seats_held", "seats_booked")
