"""The catalogue's ports over the Django ORM.

Their reads may be served by a read replica (`adapters/platform/db_router.py`): each method is
`@reads_from_replica`, which the router honours outside a transaction on the primary.
"""

from datetime import datetime
from uuid import UUID

from django.db.models import F

from adapters.catalog import models
from adapters.catalog.mapping import listing_from_row, slot_from_row
from adapters.platform.db_router import reads_from_replica
from application.shared.pagination import Page, PageRequest
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot


class DjangoListingRepository:
    @reads_from_replica
    def published(self, page: PageRequest) -> Page[Listing]:
        rows = models.Listing.objects.filter(is_published=True).order_by("title", "id")
        total = rows.count()
        items = [listing_from_row(row) for row in rows[page.offset : page.offset + page.size]]
        return Page(items, total, page)

    @reads_from_replica
    def get_published(self, listing_id: UUID) -> Listing | None:
        row = models.Listing.objects.filter(id=listing_id, is_published=True).first()
        return listing_from_row(row) if row else None


class DjangoSlotRepository:
    @reads_from_replica
    def for_listing(
        self,
        listing_id: UUID,
        starts_from: datetime,
        starts_before: datetime | None,
        page: PageRequest,
    ) -> Page[Slot]:
        rows = models.Slot.objects.filter(listing_id=listing_id, starts_at__gte=starts_from)
        if starts_before is not None:
            rows = rows.filter(starts_at__lt=starts_before)
        total = rows.count()
        window = rows.annotate(currency=F("listing__currency")).order_by("starts_at", "id")
        items = [
            slot_from_row(row, row.currency)  # type: ignore[attr-defined]
            for row in window[page.offset : page.offset + page.size]
        ]
        return Page(items, total, page)
