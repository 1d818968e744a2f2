"""Builders for the catalogue's domain objects: plain functions, no library, so the
unit suite starts in a blink (factory-boy serves the ORM side, tests/factories/orm.py).
Each gives a valid object; name only what a test is about."""

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.money import Money

# Well in the future and on the hour, whatever day the suite runs.
FUTURE = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=30)

_numbers = itertools.count()


def build_money(**fields: Any) -> Money:
    return Money(**{"amount": Decimal("25.00"), "currency": "EUR", **fields})


def build_tier(**fields: Any) -> RefundTier:
    return RefundTier(**{"hours_before": 48, "refund_percent": 100, **fields})


def build_policy(*, non_refundable: bool = False, **fields: Any) -> CancellationPolicy:
    """100% more than 48 h ahead, 50% more than 24 h ahead, nothing after."""
    tiers = () if non_refundable else (RefundTier(48, 100), RefundTier(24, 50))
    return CancellationPolicy(**{"tiers": tiers, **fields})


def build_listing(**fields: Any) -> Listing:
    defaults = {
        "id": uuid4(),
        "title": f"Tour {next(_numbers):04d}",
        "description": "Small groups, local hosts.",
        "location": "Lisbon",
        "currency": "EUR",
        "is_published": True,
    }
    if "cancellation_policy" not in fields:
        defaults["cancellation_policy"] = build_policy()
    return Listing(**{**defaults, **fields})


def build_slot(
    *, listing: Listing | None = None, currency: str | None = None, **fields: Any
) -> Slot:
    """A two-hour slot of ten seats, 30 days from now and later than the one before.

    `build_slot(listing=listing)` takes the listing's id and prices in its currency.
    """
    currency = currency or (listing.currency if listing else "EUR")
    starts_at = fields.pop("starts_at", FUTURE + timedelta(hours=next(_numbers)))
    defaults = {
        "id": uuid4(),
        "listing_id": listing.id if listing else uuid4(),
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=2),
        "capacity": 10,
        "price": Money(Decimal("25.00"), currency),
        "seats_held": 0,
        "seats_booked": 0,
    }
    return Slot(**{**defaults, **fields})
