"""A lease protects the worker that sends; anything late or unexpected is kept on record
without stealing the schedule from whoever holds the delivery now."""

from datetime import timedelta

from domain.partners.delivery import DeliveryStatus
from tests.unit.partners.builders import NOW, a_delivery, failed, succeeded

LEASE = timedelta(seconds=60)


def test_a_failure_reported_after_the_lease_ran_out_decides_nothing() -> None:
    delivery = a_delivery()
    delivery.lease(NOW, LEASE)
    first_lease = delivery.leased_until
    delivery.lease(NOW + LEASE, LEASE)  # the first worker was too slow: another took over

    delivery.record_attempt(failed(1, NOW + LEASE + timedelta(seconds=5)), 0.0, first_lease)

    assert len(delivery.attempts) == 1
    assert delivery.next_attempt_at == NOW + 2 * LEASE  # still the second worker's lease
    assert delivery.status is DeliveryStatus.PENDING


def test_a_success_counts_even_after_the_lease_ran_out() -> None:
    delivery = a_delivery()
    delivery.lease(NOW, LEASE)
    first_lease = delivery.leased_until
    delivery.lease(NOW + LEASE, LEASE)

    delivery.record_attempt(succeeded(1, NOW + LEASE), 0.0, first_lease)

    assert delivery.status is DeliveryStatus.DELIVERED


def test_redelivering_during_a_send_keeps_the_lease_and_starts_a_new_round() -> None:
    delivery = a_delivery()
    delivery.record_attempt(failed(1, NOW), 0.0)
    delivery.lease(NOW + timedelta(seconds=5), LEASE)

    delivery.redeliver(NOW + timedelta(seconds=10))

    assert delivery.next_attempt_at == NOW + timedelta(seconds=5) + LEASE
    assert delivery.round_starts_at == 1


def test_redelivering_a_dead_delivery_sends_it_now() -> None:
    delivery = a_delivery()
    for number in range(1, 9):
        delivery.record_attempt(failed(number, NOW), 0.0)
    assert delivery.status is DeliveryStatus.DEAD

    delivery.redeliver(NOW + timedelta(days=1))

    assert delivery.status is DeliveryStatus.PENDING
    assert delivery.next_attempt_at == NOW + timedelta(days=1)
