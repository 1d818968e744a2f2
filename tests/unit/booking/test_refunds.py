"""Refunds by the listing's policy: 100% more than 48 h before, 50% more than 24 h, else none.

Each tier starts *after* its boundary: exactly 48 h before is already the 50% tier.
"""

from datetime import timedelta

import pytest

from domain.booking.booking import Booking
from domain.booking.events import BookingCancelled
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.money import Money
from tests.unit.booking.builders import (
    NOW,
    a_listing,
    a_slot,
    by_id,
    hold,
    payment_for,
    policies,
)

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)


def confirmed(*lines: tuple[Slot, int]) -> Booking:
    booking = hold(*lines)
    booking.confirm(payment_for(booking), by_id(slot for slot, _ in lines), NOW)
    return booking


@pytest.fixture
def slot() -> Slot:
    """Two seats will cost 50.00 EUR; the slot starts ten days after NOW."""
    return a_slot(starts_in=timedelta(days=10))


@pytest.mark.parametrize(
    ("notice", "amount", "percent"),
    [
        pytest.param(timedelta(days=9), "50.00", 100, id="9 days"),
        pytest.param(48 * HOUR + SECOND, "50.00", 100, id="48h+1s"),
        pytest.param(48 * HOUR, "25.00", 50, id="exactly 48h"),
        pytest.param(24 * HOUR + SECOND, "25.00", 50, id="24h+1s"),
    ],
)
def test_a_refund_by_tier(slot: Slot, notice: timedelta, amount: str, percent: int) -> None:
    booking = confirmed((slot, 2))
    now = slot.starts_at - notice

    refund = booking.cancel(by_id([slot]), policies([slot]), now)

    assert refund is not None
    assert (refund.amount, refund.percent) == (Money(amount, "EUR"), percent)
    assert booking.refund == refund
    assert booking.events[-1] == BookingCancelled(now, booking.id, booking.reference, refund.amount)


@pytest.mark.parametrize(
    "notice",
    [
        pytest.param(24 * HOUR, id="exactly 24h"),
        pytest.param(HOUR, id="1h"),
        pytest.param(timedelta(0), id="at the start"),
        pytest.param(-HOUR, id="after the start"),
    ],
)
def test_no_refund_from_24_hours_before(slot: Slot, notice: timedelta) -> None:
    booking = confirmed((slot, 2))
    now = slot.starts_at - notice

    refund = booking.cancel(by_id([slot]), policies([slot]), now)

    assert refund is None
    assert booking.refund is None
    assert booking.events[-1] == BookingCancelled(now, booking.id, booking.reference, None)


def test_a_non_refundable_listing_refunds_nothing(slot: Slot) -> None:
    booking = confirmed((slot, 2))

    refund = booking.cancel(
        by_id([slot]), policies([slot], CancellationPolicy.non_refundable()), NOW
    )

    assert refund is None


def test_cancelling_a_hold_refunds_nothing_whatever_the_notice(slot: Slot) -> None:
    booking = hold((slot, 2))

    assert booking.cancel(by_id([slot]), policies([slot]), NOW) is None
    assert booking.refund is None


def test_lines_in_one_tier_report_that_tier() -> None:
    first, second = a_slot(starts_in=timedelta(days=5)), a_slot(starts_in=timedelta(days=6))
    booking = confirmed((first, 1), (second, 3))

    refund = booking.cancel(by_id([first, second]), policies([first, second]), NOW)

    assert refund is not None
    assert (refund.amount, refund.percent) == (Money("100.00", "EUR"), 100)


def test_lines_of_two_listings_in_different_tiers_add_up() -> None:
    """30.00 at 100% plus 2 x 20.00 at 50%: 50.00 of 70.00 comes back, 71% rounded down."""
    early, late = a_listing(), a_listing(policy=CancellationPolicy((RefundTier(24, 50),)))
    first = a_slot(listing=early, starts_in=timedelta(hours=72), price="30.00")
    second = a_slot(listing=late, starts_in=timedelta(hours=36), price="20.00")
    booking = confirmed((first, 1), (second, 2))
    by_slot = {first.id: early.cancellation_policy, second.id: late.cancellation_policy}

    refund = booking.cancel(by_id([first, second]), by_slot, NOW)

    assert refund is not None
    assert (refund.amount, refund.percent) == (Money("50.00", "EUR"), 71)


def test_a_line_past_every_tier_still_lets_the_other_refund() -> None:
    first = a_slot(starts_in=timedelta(hours=72), price="40.00")
    second = a_slot(starts_in=timedelta(hours=12), price="60.00")
    booking = confirmed((first, 1), (second, 1))

    refund = booking.cancel(by_id([first, second]), policies([first, second]), NOW)

    assert refund is not None
    assert (refund.amount, refund.percent) == (Money("40.00", "EUR"), 40)


@pytest.mark.parametrize(
    ("price", "refunded"),
    [
        pytest.param("1253", "626", id="626.5 rounds down to even"),
        pytest.param("1255", "628", id="627.5 rounds up to even"),
        pytest.param("1000", "500", id="exact"),
    ],
)
def test_half_a_yen_price_rounds_half_even_to_whole_yen(price: str, refunded: str) -> None:
    slot = a_slot(listing=a_listing(currency="JPY"), starts_in=timedelta(hours=36), price=price)
    booking = confirmed((slot, 1))

    refund = booking.cancel(by_id([slot]), policies([slot]), NOW)

    assert refund is not None
    assert (refund.amount, refund.percent) == (Money(refunded, "JPY"), 50)
    assert refund.amount.amount.as_tuple().exponent == 0


def test_yen_lines_in_two_tiers_round_per_line_then_add_up() -> None:
    """1000 at 100% plus 1253 at 50% (626.5, rounded to 626): 1626 of 2253, 72%."""
    listing = a_listing(currency="JPY")
    first = a_slot(listing=listing, starts_in=timedelta(hours=72), price="1000")
    second = a_slot(listing=listing, starts_in=timedelta(hours=36), price="1253")
    booking = confirmed((first, 1), (second, 1))

    refund = booking.cancel(by_id([first, second]), policies([first, second]), NOW)

    assert booking.total == Money("2253", "JPY")
    assert refund is not None
    assert (refund.amount, refund.percent) == (Money("1626", "JPY"), 72)
