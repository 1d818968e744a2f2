"""Use case: the upcoming slots of a listing, with the seats each has left."""

from datetime import datetime
from uuid import UUID

import attrs

from application.catalog.ports import ListingRepository, SlotRepository
from application.shared.pagination import Page, PageRequest
from application.shared.ports import Clock
from domain.catalog.errors import ListingNotFound
from domain.catalog.slot import Slot
from domain.shared.errors import Fault, InvalidInput


@attrs.frozen
class ListSlotsQuery:
    listing_id: UUID
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    page: PageRequest = attrs.field(factory=PageRequest)


class ListSlots:
    """Slots that start in the window; the window never reaches into the past."""

    def __init__(self, listings: ListingRepository, slots: SlotRepository, clock: Clock) -> None:
        self._listings = listings
        self._slots = slots
        self._clock = clock

    def __call__(self, query: ListSlotsQuery) -> Page[Slot]:
        if (
            query.starts_from is not None
            and query.starts_before is not None
            and query.starts_before <= query.starts_from
        ):
            raise InvalidInput(
                "The window ends before it starts.",
                Fault("starts_before", "Must be after the window's start."),
            )
        if self._listings.get_published(query.listing_id) is None:
            raise ListingNotFound(f"No published listing {query.listing_id}.")
        now = self._clock.now()
        starts_from = max(query.starts_from, now) if query.starts_from else now
        return self._slots.for_listing(
            query.listing_id, starts_from, query.starts_before, query.page
        )
