from uuid import uuid4

import attrs
import pytest

from domain.catalog.errors import InvalidListing
from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy
from tests.factories.domain import build_listing


def test_a_listing_is_published_unless_told_otherwise() -> None:
    listing = Listing(
        id=uuid4(),
        title="Harbour walking tour",
        description="",
        location="Lisbon",
        currency="EUR",
        cancellation_policy=CancellationPolicy.non_refundable(),
    )

    assert listing.is_published


@pytest.mark.parametrize("title", ["", " ", "\t\n"])
def test_a_listing_needs_a_title(title: str) -> None:
    with pytest.raises(InvalidListing, match="title"):
        build_listing(title=title)


@pytest.mark.parametrize("currency", ["XXX", "eur", ""])
def test_a_listing_sells_in_a_known_currency(currency: str) -> None:
    with pytest.raises(InvalidListing, match="currency"):
        build_listing(currency=currency)


@pytest.mark.parametrize("currency", ["EUR", "GBP", "USD", "JPY"])
def test_known_currencies_are_accepted(currency: str) -> None:
    assert build_listing(currency=currency).currency == currency


def test_a_listing_is_immutable() -> None:
    listing = build_listing()

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        listing.title = "Another"  # type: ignore[misc]


def test_listings_are_equal_by_value() -> None:
    listing = build_listing()

    assert attrs.evolve(listing) == listing
    assert attrs.evolve(listing, is_published=False) != listing
