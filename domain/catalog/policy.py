"""Cancellation policies: how much of the price comes back, by notice given."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import attrs

from domain.catalog.errors import InvalidPolicy


@attrs.frozen
class RefundTier:
    """Cancel *more than* `hours_before` hours before the start, get `refund_percent` back."""

    hours_before: int
    refund_percent: int

    def __attrs_post_init__(self) -> None:
        if self.hours_before < 0:
            raise InvalidPolicy("A refund tier cannot start after the slot does.")
        if not 0 <= self.refund_percent <= 100:
            raise InvalidPolicy("A refund is between 0 and 100 per cent.")


def _tiers(value: Sequence[RefundTier]) -> tuple[RefundTier, ...]:
    return tuple(value)


@attrs.frozen
class CancellationPolicy:
    """Refund tiers, longest notice first, e.g. 100% > 48 h, 50% > 24 h, nothing after.

    Tiers are ordered by strictly decreasing `hours_before` and never refund more for
    less notice; a time before every tier refunds nothing.
    """

    tiers: tuple[RefundTier, ...] = attrs.field(converter=_tiers)

    def __attrs_post_init__(self) -> None:
        for earlier, later in zip(self.tiers, self.tiers[1:], strict=False):
            if later.hours_before >= earlier.hours_before:
                raise InvalidPolicy("Refund tiers must be ordered by decreasing hours before.")
            if later.refund_percent > earlier.refund_percent:
                raise InvalidPolicy("Less notice cannot earn a larger refund.")

    @classmethod
    def non_refundable(cls) -> CancellationPolicy:
        return cls(())

    def refund_percent(self, notice: timedelta) -> int:
        """The percentage refunded when cancelling `notice` before the slot starts."""
        for tier in self.tiers:
            if notice > timedelta(hours=tier.hours_before):
                return tier.refund_percent
        return 0
