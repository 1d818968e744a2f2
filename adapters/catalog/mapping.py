"""Rows to domain objects. The one place that knows both shapes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from adapters.catalog import models
from domain.catalog.errors import InvalidListing, InvalidPolicy, InvalidSlot
from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.errors import DomainError
from domain.shared.money import Money


def policy_from_json(tiers: Any) -> CancellationPolicy:
    if not isinstance(tiers, list):
        raise InvalidPolicy("A cancellation policy is a list of tiers.")
    try:
        return CancellationPolicy(
            RefundTier(int(tier["hours_before"]), int(tier["refund_percent"])) for tier in tiers
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidPolicy(
            'Each tier looks like {"hours_before": 48, "refund_percent": 100}.'
        ) from error


def listing_from_row(row: models.Listing) -> Listing:
    return Listing(
        id=row.id,
        title=row.title,
        description=row.description,
        location=row.location,
        currency=row.currency,
        cancellation_policy=policy_from_json(row.cancellation_policy),
        is_published=row.is_published,
    )


def slot_from_row(row: models.Slot, currency: str, on_sale: bool = True) -> Slot:
    return Slot(
        id=row.id,
        listing_id=row.listing_id,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        capacity=row.capacity,
        price=Money(row.price_amount, currency),
        seats_held=row.seats_held,
        seats_booked=row.seats_booked,
        on_sale=on_sale,
    )


def validate_listing_row(row: models.Listing) -> None:
    """Let the admin's form refuse what the domain would refuse, beside the right field."""
    try:
        listing_from_row(row)
    except InvalidPolicy as error:
        raise ValidationError({"cancellation_policy": str(error)}) from error
    except InvalidListing as error:
        raise ValidationError(str(error)) from error


def validate_slot_row(row: models.Slot) -> None:
    if row.starts_at is None or row.ends_at is None or row.capacity is None:
        return  # the form reports the missing fields itself
    try:
        # Inline on a listing being added, the slot has its listing but no listing_id yet.
        listing = row.listing
    except models.Slot.listing.RelatedObjectDoesNotExist:
        return
    if row.price_amount is None:
        return
    try:
        slot_from_row(row, listing.currency)
    except (InvalidSlot, DomainError) as error:
        raise ValidationError(str(error)) from error
