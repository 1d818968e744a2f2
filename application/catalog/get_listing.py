"""Use case: read one published listing."""

from uuid import UUID

import attrs

from application.catalog.ports import ListingRepository
from domain.catalog.errors import ListingNotFound
from domain.catalog.listing import Listing


@attrs.frozen
class GetListingQuery:
    listing_id: UUID


class GetListing:
    def __init__(self, listings: ListingRepository) -> None:
        self._listings = listings

    def __call__(self, query: GetListingQuery) -> Listing:
        listing = self._listings.get_published(query.listing_id)
        if listing is None:
            # Unpublished listings are as invisible as missing ones.
            raise ListingNotFound(f"No published listing {query.listing_id}.")
        return listing
