"""How much comes back when a booking is cancelled: the shop's decision, not the provider's."""

from datetime import datetime

import attrs

from domain.catalog.policy import CancellationPolicy
from domain.shared.money import Money


@attrs.frozen
class Refund:
    amount: Money
    percent: int
    refund_id: str | None = None  # the payment provider's id, once issued


def refund_for_line(
    subtotal: Money, policy: CancellationPolicy, slot_starts_at: datetime, now: datetime
) -> tuple[Money, int]:
    """The refund on one line: its subtotal times the tier its notice falls in."""
    percent = policy.refund_percent(slot_starts_at - now)
    return subtotal.percent(percent), percent
