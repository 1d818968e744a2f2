"""Operators manage the catalogue here: listings with their slots inline."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from adapters.catalog import models
from adapters.catalog.mapping import validate_listing_row, validate_slot_row


class ListingForm(forms.ModelForm):
    """Refuses what the domain would refuse, beside the right field."""

    def _post_clean(self) -> None:
        super()._post_clean()  # the fields are on the instance now
        try:
            validate_listing_row(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class SlotForm(forms.ModelForm):
    """Refuses a slot the domain would refuse (its ends, capacity, price)."""

    def _post_clean(self) -> None:
        super()._post_clean()
        try:
            validate_slot_row(self.instance)
        except ValidationError as error:
            self._update_errors(error)


class SlotInline(admin.TabularInline):
    model = models.Slot
    form = SlotForm
    extra = 0
    fields = ("starts_at", "ends_at", "capacity", "price_amount", "seats_held", "seats_booked")
    readonly_fields = ("seats_held", "seats_booked")
    ordering = ("starts_at",)
    show_change_link = True


@admin.register(models.Listing)
class ListingAdmin(admin.ModelAdmin):
    form = ListingForm
    list_display = ("title", "location", "currency", "is_published", "updated_at")
    list_filter = ("is_published", "currency")
    search_fields = ("title", "location", "description")
    inlines = [SlotInline]


@admin.register(models.Slot)
class SlotAdmin(admin.ModelAdmin):
    form = SlotForm
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
