"""A delivery: its attempts, the retry schedule it follows, and when it gives up."""

from datetime import datetime, timedelta

import pytest

from domain.partners.delivery import Attempt, Delivery, DeliveryStatus
from domain.partners.retry import SCHEDULE
from tests.unit.partners.builders import NOW, a_delivery, failed, succeeded


def fail_times(count: int, spread: float = 0) -> tuple[Delivery, list[datetime | None]]:
    """A delivery failed `count` times, each attempt made when it fell due."""
    delivery = a_delivery()
    seen: list[datetime | None] = []
    for number in range(1, count + 1):
        at = delivery.next_attempt_at or NOW
        delivery.record_attempt(failed(number, at), spread)
        seen.append(delivery.next_attempt_at)
    return delivery, seen


def test_a_new_delivery_is_pending_and_due() -> None:
    delivery = a_delivery()

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.is_due(NOW)
    assert not delivery.is_due(NOW - timedelta(seconds=1))
    assert a_delivery(next_attempt_at=None).is_due(NOW)


@pytest.mark.parametrize("status_code", [200, 201, 202, 204, 299])
def test_a_2xx_answer_delivers_it(status_code: int) -> None:
    delivery = a_delivery()

    delivery.record_attempt(succeeded(1, NOW, status_code), 0)

    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.delivered_at == NOW
    assert delivery.next_attempt_at is None
    assert not delivery.is_due(NOW + timedelta(days=1))


@pytest.mark.parametrize("status_code", [None, 199, 301, 400, 410, 429, 500, 503])
def test_anything_else_is_a_failure_retried_later(status_code: int | None) -> None:
    delivery = a_delivery()

    delivery.record_attempt(Attempt(1, NOW, status_code, 5), 0)

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == NOW + timedelta(seconds=5)
    assert delivery.delivered_at is None


@pytest.mark.parametrize("spread", [-1, 0, 0.5, 1])
def test_each_failure_waits_the_next_delay_of_the_schedule_with_the_spread_given(
    spread: float,
) -> None:
    delivery = a_delivery()
    at = NOW
    for number, delay in enumerate(SCHEDULE, start=1):
        delivery.record_attempt(failed(number, at), spread)

        assert delivery.next_attempt_at == at + delay * (1 + 0.1 * spread)
        assert delivery.status is DeliveryStatus.PENDING
        at = delivery.next_attempt_at + timedelta(seconds=3)  # a worker a little late


def test_the_eighth_failed_attempt_makes_it_dead() -> None:
    delivery, next_times = fail_times(8)

    assert delivery.status is DeliveryStatus.DEAD
    assert delivery.next_attempt_at is None
    assert len(delivery.attempts) == 8
    assert None not in next_times[:7]
    assert not delivery.is_due(NOW + timedelta(days=30))


def test_seven_failures_still_leave_one_attempt() -> None:
    delivery, _ = fail_times(7)

    assert delivery.status is DeliveryStatus.PENDING


def test_a_success_after_failures_delivers_and_keeps_every_attempt() -> None:
    delivery, _ = fail_times(3)

    delivery.record_attempt(succeeded(4, NOW + timedelta(hours=1)), 0)

    assert delivery.status is DeliveryStatus.DELIVERED
    assert [a.number for a in delivery.attempts] == [1, 2, 3, 4]


def test_a_lease_sets_it_aside_until_the_lease_ends() -> None:
    delivery = a_delivery()

    delivery.lease(NOW, timedelta(seconds=60))

    assert delivery.next_attempt_at == NOW + timedelta(seconds=60)
    assert not delivery.is_due(NOW + timedelta(seconds=59))
    assert delivery.is_due(NOW + timedelta(seconds=60))
    assert delivery.status is DeliveryStatus.PENDING


def test_redelivering_a_dead_delivery_makes_it_pending_and_due_now() -> None:
    delivery, _ = fail_times(8)
    later = NOW + timedelta(days=3)

    delivery.redeliver(later)

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == later
    assert delivery.round_starts_at == 8
    assert delivery.is_due(later)


def test_after_a_redelivery_the_schedule_starts_again() -> None:
    delivery, _ = fail_times(8)
    later = NOW + timedelta(days=3)
    delivery.redeliver(later)

    delivery.record_attempt(failed(9, later), 0)

    assert delivery.next_attempt_at == later + timedelta(seconds=5)
    for number in range(10, 17):
        delivery.record_attempt(failed(number, later), 0)
    assert delivery.status is DeliveryStatus.DEAD
    assert len(delivery.attempts) == 16


def test_a_delivered_delivery_can_be_sent_again_on_request() -> None:
    delivery = a_delivery()
    delivery.record_attempt(succeeded(1, NOW), 0)

    delivery.redeliver(NOW + timedelta(hours=1))
    delivery.record_attempt(failed(2, NOW + timedelta(hours=1)), 0)

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == NOW + timedelta(hours=1, seconds=5)
