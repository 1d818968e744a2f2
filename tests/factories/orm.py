"""factory-boy factories for the catalogue's database rows, and domain-to-row helpers."""

from datetime import timedelta
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from adapters.catalog import models
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot
from tests.factories.domain import FUTURE

FLEXIBLE = [{"hours_before": 48, "refund_percent": 100}, {"hours_before": 24, "refund_percent": 50}]


class ListingRowFactory(DjangoModelFactory):
    class Meta:
        model = models.Listing

    title = factory.Sequence(lambda n: f"Tour {n:04d}")
    description = "Small groups, local hosts."
    location = "Lisbon"
    currency = "EUR"
    cancellation_policy = factory.LazyFunction(lambda: [dict(tier) for tier in FLEXIBLE])
    is_published = True


class SlotRowFactory(DjangoModelFactory):
    """A two-hour slot of ten seats at 25.00, an hour after the previous one, 30 days on."""

    class Meta:
        model = models.Slot

    listing = factory.SubFactory(ListingRowFactory)
    starts_at = factory.Sequence(lambda n: FUTURE + timedelta(hours=n))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    capacity = 10
    price_amount = Decimal("25.00")


def listing_row(listing: Listing) -> models.Listing:
    """Store a domain listing as a row, field for field."""
    return ListingRowFactory(
        id=listing.id,
        title=listing.title,
        description=listing.description,
        location=listing.location,
        currency=listing.currency,
        cancellation_policy=[
            {"hours_before": tier.hours_before, "refund_percent": tier.refund_percent}
            for tier in listing.cancellation_policy.tiers
        ],
        is_published=listing.is_published,
    )


def slot_row(slot: Slot) -> models.Slot:
    """Store a domain slot as a row. Its listing's row must exist, priced in the same currency."""
    return SlotRowFactory(
        id=slot.id,
        listing=models.Listing.objects.get(id=slot.listing_id),
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        capacity=slot.capacity,
        price_amount=slot.price.amount,
        seats_held=slot.seats_held,
        seats_booked=slot.seats_booked,
    )
