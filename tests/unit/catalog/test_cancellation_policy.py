from datetime import timedelta

import pytest

from domain.catalog.errors import InvalidPolicy
from domain.catalog.policy import CancellationPolicy, RefundTier
from tests.factories.domain import build_policy, build_tier

SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def flexible() -> CancellationPolicy:
    """100% more than 48 h ahead, 50% more than 24 h ahead, nothing after."""
    return build_policy()


@pytest.mark.parametrize(
    ("notice", "percent"),
    [
        (timedelta(days=365), 100),
        (48 * HOUR + SECOND, 100),
        (48 * HOUR, 50),  # exactly 48 h is not *more than* 48 h: the next tier
        (48 * HOUR - SECOND, 50),
        (24 * HOUR + SECOND, 50),
        (24 * HOUR, 0),
        (24 * HOUR - SECOND, 0),
        (SECOND, 0),
        (timedelta(0), 0),
        (-HOUR, 0),  # the slot has started
    ],
)
def test_refund_percent_by_notice(
    flexible: CancellationPolicy, notice: timedelta, percent: int
) -> None:
    assert flexible.refund_percent(notice) == percent


def test_a_tier_at_zero_hours_refunds_until_the_start() -> None:
    policy = CancellationPolicy([RefundTier(0, 20)])

    assert policy.refund_percent(SECOND) == 20
    assert policy.refund_percent(timedelta(0)) == 0


@pytest.mark.parametrize("notice", [timedelta(days=30), 48 * HOUR + SECOND, SECOND, timedelta(0)])
def test_non_refundable_refunds_nothing(notice: timedelta) -> None:
    policy = CancellationPolicy.non_refundable()

    assert policy.tiers == ()
    assert policy.refund_percent(notice) == 0
    assert build_policy(non_refundable=True) == policy


def test_tiers_are_kept_as_a_tuple() -> None:
    policy = CancellationPolicy(iter([RefundTier(48, 100), RefundTier(24, 50)]))

    assert policy.tiers == (RefundTier(48, 100), RefundTier(24, 50))
    assert policy == build_policy()


def test_equal_refunds_for_less_notice_are_allowed() -> None:
    policy = CancellationPolicy([RefundTier(72, 50), RefundTier(24, 50)])

    assert policy.refund_percent(48 * HOUR) == 50


@pytest.mark.parametrize(
    "tiers",
    [
        [RefundTier(24, 50), RefundTier(48, 100)],  # shortest notice first
        [RefundTier(48, 100), RefundTier(48, 50)],  # the same notice twice
        [RefundTier(72, 100), RefundTier(24, 50), RefundTier(48, 25)],
    ],
    ids=["ascending", "duplicate-hours", "unordered-third"],
)
def test_tiers_must_run_from_longest_notice_to_shortest(tiers: list[RefundTier]) -> None:
    with pytest.raises(InvalidPolicy, match="decreasing hours"):
        CancellationPolicy(tiers)


@pytest.mark.parametrize(
    "tiers",
    [
        [RefundTier(48, 50), RefundTier(24, 100)],
        [RefundTier(72, 100), RefundTier(48, 50), RefundTier(24, 75)],
    ],
)
def test_less_notice_never_earns_a_larger_refund(tiers: list[RefundTier]) -> None:
    with pytest.raises(InvalidPolicy, match="larger refund"):
        CancellationPolicy(tiers)


@pytest.mark.parametrize("refund_percent", [-1, 101])
def test_a_refund_is_a_percentage(refund_percent: int) -> None:
    with pytest.raises(InvalidPolicy):
        RefundTier(48, refund_percent)


@pytest.mark.parametrize("refund_percent", [0, 100])
def test_refund_bounds_are_inclusive(refund_percent: int) -> None:
    assert build_tier(refund_percent=refund_percent).refund_percent == refund_percent


def test_a_tier_cannot_start_after_the_slot() -> None:
    with pytest.raises(InvalidPolicy):
        RefundTier(-1, 100)
