"""Pages of results, so no use case ever loads a whole table."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from domain.shared.errors import Fault, InvalidInput


@attrs.frozen
class PageRequest:
    """The 1-based page `number` of `size` items."""

    number: int = 1
    size: int = 20

    def __attrs_post_init__(self) -> None:
        if self.number < 1:
            raise InvalidInput("Pages are numbered from 1.", Fault("number", "Must be 1 or more."))
        if self.size < 1:
            raise InvalidInput(
                "A page holds at least one item.", Fault("size", "Must be 1 or more.")
            )

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@attrs.frozen
class Page[T]:
    items: Sequence[T]
    total: int
    request: PageRequest

    @property
    def has_next(self) -> bool:
        return self.request.offset + len(self.items) < self.total

    @property
    def has_previous(self) -> bool:
        return self.request.number > 1
