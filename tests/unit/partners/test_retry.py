"""The retry schedule: Standard Webhooks' delays, spread by up to ±10 %."""

from datetime import timedelta

import pytest

from domain.partners.retry import JITTER, MAX_ATTEMPTS, SCHEDULE, delay_after

EXPECTED = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]


def test_the_schedule_is_the_standard_webhooks_one() -> None:
    assert list(SCHEDULE) == EXPECTED
    assert MAX_ATTEMPTS == 8
    assert JITTER == 0.1


@pytest.mark.parametrize(("failures", "expected"), list(enumerate(EXPECTED, start=1)))
def test_without_spread_each_failure_waits_its_scheduled_delay(
    failures: int, expected: timedelta
) -> None:
    assert delay_after(failures, 0) == expected


@pytest.mark.parametrize(("failures", "expected"), list(enumerate(EXPECTED, start=1)))
def test_the_spread_moves_the_delay_by_at_most_ten_percent(
    failures: int, expected: timedelta
) -> None:
    assert delay_after(failures, -1) == expected * 0.9
    assert delay_after(failures, 1) == expected * 1.1
    assert expected * 0.9 <= delay_after(failures, 0.37) <= expected * 1.1  # type: ignore[operator]


def test_the_first_retry_comes_after_four_and_a_half_to_five_and_a_half_seconds() -> None:
    assert delay_after(1, -1) == timedelta(seconds=4.5)
    assert delay_after(1, 1) == timedelta(seconds=5.5)


@pytest.mark.parametrize("failures", [8, 9, 100])
def test_after_the_eighth_failed_attempt_nothing_is_left(failures: int) -> None:
    assert delay_after(failures, 0) is None


def test_before_any_failure_there_is_no_retry() -> None:
    assert delay_after(0, 0) is None


@pytest.mark.parametrize("spread", [-1.0001, 1.0001, 2, -5])
def test_a_spread_outside_minus_one_to_one_is_refused(spread: float) -> None:
    with pytest.raises(ValueError, match="spread"):
        delay_after(1, spread)
