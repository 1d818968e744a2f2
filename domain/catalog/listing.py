"""A listing: an experience the shop sells, in one currency, under one cancellation policy."""

from __future__ import annotations

from uuid import UUID

import attrs

from domain.catalog.errors import InvalidListing
from domain.catalog.policy import CancellationPolicy
from domain.shared.money import MINOR_UNITS


@attrs.frozen
class Listing:
    id: UUID
    title: str
    description: str
    location: str
    currency: str
    cancellation_policy: CancellationPolicy
    is_published: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.title.strip():
            raise InvalidListing("A listing needs a title.")
        if self.currency not in MINOR_UNITS:
            raise InvalidListing(f"{self.currency!r} is not a currency Portside sells in.")
