"""Use case: browse the published listings."""

import attrs

from application.catalog.ports import ListingRepository
from application.shared.pagination import Page, PageRequest
from domain.catalog.listing import Listing


@attrs.frozen
class ListListingsQuery:
    page: PageRequest = attrs.field(factory=PageRequest)


class ListListings:
    def __init__(self, listings: ListingRepository) -> None:
        self._listings = listings

    def __call__(self, query: ListListingsQuery) -> Page[Listing]:
        return self._listings.published(query.page)
