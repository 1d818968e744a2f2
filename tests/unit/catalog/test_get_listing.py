from uuid import uuid4

import pytest

from application.catalog.get_listing import GetListing, GetListingQuery
from domain.catalog.errors import ListingNotFound
from domain.shared.errors import NotFound
from tests.factories.domain import build_listing
from tests.fakes.catalog import InMemoryListingRepository


@pytest.fixture
def listings() -> InMemoryListingRepository:
    return InMemoryListingRepository()


@pytest.fixture
def get_listing(listings: InMemoryListingRepository) -> GetListing:
    return GetListing(listings=listings)


def test_a_published_listing_is_found(
    listings: InMemoryListingRepository, get_listing: GetListing
) -> None:
    listing = build_listing()
    listings.add(listing)
    listings.add(build_listing())

    assert get_listing(GetListingQuery(listing.id)) == listing


def test_an_unpublished_listing_is_not_found(
    listings: InMemoryListingRepository, get_listing: GetListing
) -> None:
    hidden = build_listing(is_published=False)
    listings.add(hidden)

    with pytest.raises(ListingNotFound, match=str(hidden.id)):
        get_listing(GetListingQuery(hidden.id))


def test_a_missing_listing_is_not_found(get_listing: GetListing) -> None:
    with pytest.raises(ListingNotFound) as missing:
        get_listing(GetListingQuery(uuid4()))

    assert isinstance(missing.value, NotFound)
