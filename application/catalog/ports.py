"""What the catalogue use cases need from the outside world."""

from datetime import datetime
from typing import Protocol
from uuid import UUID

from application.shared.pagination import Page, PageRequest
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot


class ListingRepository(Protocol):
    def published(self, page: PageRequest) -> Page[Listing]:
        """Published listings, ordered by title then id."""
        ...

    def get_published(self, listing_id: UUID) -> Listing | None:
        """The listing if it exists and is published, else None."""
        ...


class SlotRepository(Protocol):
    def for_listing(
        self,
        listing_id: UUID,
        starts_from: datetime,
        starts_before: datetime | None,
        page: PageRequest,
    ) -> Page[Slot]:
        """Slots of one listing starting in [starts_from, starts_before), earliest first."""
        ...
