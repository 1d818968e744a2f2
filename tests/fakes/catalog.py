"""The catalogue's ports over dictionaries."""

from datetime import datetime
from uuid import UUID

from application.shared.pagination import Page, PageRequest
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot


class InMemoryListingRepository:
    def __init__(self, listings: list[Listing] | None = None) -> None:
        self.listings: dict[UUID, Listing] = {listing.id: listing for listing in listings or []}

    def add(self, listing: Listing) -> None:
        self.listings[listing.id] = listing

    def published(self, page: PageRequest) -> Page[Listing]:
        found = sorted(
            (listing for listing in self.listings.values() if listing.is_published),
            key=lambda listing: (listing.title, str(listing.id)),
        )
        return Page(found[page.offset : page.offset + page.size], len(found), page)

    def get_published(self, listing_id: UUID) -> Listing | None:
        listing = self.listings.get(listing_id)
        return listing if listing is not None and listing.is_published else None


class InMemorySlotRepository:
    def __init__(self, slots: list[Slot] | None = None) -> None:
        self.slots: dict[UUID, Slot] = {slot.id: slot for slot in slots or []}

    def add(self, slot: Slot) -> None:
        self.slots[slot.id] = slot

    def for_listing(
        self,
        listing_id: UUID,
        starts_from: datetime,
        starts_before: datetime | None,
        page: PageRequest,
    ) -> Page[Slot]:
        found = sorted(
            (
                slot
                for slot in self.slots.values()
                if slot.listing_id == listing_id
                and slot.starts_at >= starts_from
                and (starts_before is None or slot.starts_at < starts_before)
            ),
            key=lambda slot: (slot.starts_at, str(slot.id)),
        )
        return Page(found[page.offset : page.offset + page.size], len(found), page)
