"""One delivery through the relay (SweepDeliveries): sent signed, every attempt recorded,
retried on the schedule with the same `webhook-id` until dead, leased while it is sent."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from standardwebhooks.webhooks import Webhook

from application.partners.ports import SendResult
from application.partners.rotate_secret import RotateSecretCommand
from application.partners.sweep_deliveries import LEASE, SweepDeliveries
from application.partners.update_subscription import UpdateSubscriptionCommand
from domain.booking.events import BookingHeld
from domain.partners.delivery import DeliveryStatus
from domain.partners.retry import SCHEDULE
from domain.partners.subscription import Subscription
from tests.unit.partners.builders import NOW, a_booking
from tests.unit.partners.partners import URL, Partners

BOOKING = a_booking()


def held_delivery(partners: Partners, subscription: Subscription) -> UUID:
    """One booking.held delivery for `subscription` (and for any other that wants it)."""
    held = BookingHeld(partners.clock.now(), BOOKING.id, BOOKING.reference)
    created = partners.record([held], {BOOKING.id: BOOKING})
    return next(i for i in created if partners.stored(i).subscription_id == subscription.id)


@pytest.fixture
def live() -> Partners:
    """Partners whose clock reads the real time: the `standardwebhooks` library refuses
    a timestamp more than five minutes away from now."""
    return Partners(now=datetime.now(UTC).replace(microsecond=0))


@pytest.mark.parametrize(
    ("format", "content_type"),
    [
        ("standard-webhooks", "application/json"),
        ("cloudevents", "application/cloudevents+json"),
        ("legacy-xml", "application/xml"),
    ],
)
def test_a_delivery_is_sent_signed_with_the_subscription_secret(
    live: Partners, format: str, content_type: str
) -> None:
    subscription = live.subscribe(format=format)
    delivery_id = held_delivery(live, subscription)

    status = live.relay(delivery_id)

    assert status is DeliveryStatus.DELIVERED
    ((url, headers, body),) = live.sender.sent
    assert url == URL
    assert body == live.stored(delivery_id).body
    assert headers["content-type"] == content_type
    assert headers["webhook-id"] == live.stored(delivery_id).webhook_id
    assert headers["webhook-timestamp"] == str(int(live.clock.now().timestamp()))
    Webhook(subscription.secret).verify(body.encode(), headers, json_parse=False)


def test_a_delivered_delivery_keeps_its_attempt(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())

    partners.relay(delivery_id)

    delivery = partners.stored(delivery_id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert delivery.delivered_at == NOW
    assert delivery.next_attempt_at is None
    (attempt,) = delivery.attempts
    assert (attempt.number, attempt.attempted_at, attempt.status_code) == (1, NOW, 200)
    assert (attempt.duration_ms, attempt.error, attempt.response_excerpt) == (3, "", "ok")


def test_a_500_then_a_200_sends_the_same_webhook_id_twice(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.answer(500, 200)

    assert partners.relay(delivery_id) is DeliveryStatus.PENDING
    assert partners.stored(delivery_id).next_attempt_at == NOW + timedelta(seconds=5)
    partners.clock.advance(timedelta(seconds=5))
    assert partners.relay(delivery_id) is DeliveryStatus.DELIVERED

    delivery = partners.stored(delivery_id)
    assert partners.sent_ids() == [delivery.webhook_id, delivery.webhook_id]
    assert [body for _, _, body in partners.sender.sent] == [delivery.body, delivery.body]
    assert [(a.number, a.status_code) for a in delivery.attempts] == [(1, 500), (2, 200)]
    assert [a.response_excerpt for a in delivery.attempts] == ["oops", "ok"]
    assert delivery.delivered_at == NOW + timedelta(seconds=5)


def test_a_connection_error_is_an_attempt_without_a_status(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.answer(None)

    assert partners.relay(delivery_id) is DeliveryStatus.PENDING

    (attempt,) = partners.stored(delivery_id).attempts
    assert attempt.status_code is None
    assert "ConnectionError" in attempt.error
    assert not attempt.succeeded


def test_the_spread_drawn_places_the_retry_in_the_jitter_band() -> None:
    partners = Partners(spread=1.0)
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.answer(503)

    partners.relay(delivery_id)

    assert partners.stored(delivery_id).next_attempt_at == NOW + timedelta(seconds=5.5)


def test_eight_failures_make_it_dead(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.answer(*[500] * 8)

    statuses = []
    for delay in [*SCHEDULE, None]:
        statuses.append(partners.relay(delivery_id))
        if delay is not None:
            partners.clock.advance(delay)

    assert statuses == [DeliveryStatus.PENDING] * 7 + [DeliveryStatus.DEAD]
    delivery = partners.stored(delivery_id)
    assert [a.number for a in delivery.attempts] == list(range(1, 9))
    assert len(set(partners.sent_ids())) == 1
    partners.clock.advance(timedelta(days=7))
    assert partners.relay(delivery_id) is None
    assert len(partners.sender.sent) == 8


def test_a_paused_subscriptions_delivery_waits_without_using_its_retries(
    partners: Partners,
) -> None:
    subscription = partners.subscribe()
    delivery_id = held_delivery(partners, subscription)
    partners.update(UpdateSubscriptionCommand(1, subscription.id, is_active=False))

    assert partners.relay(delivery_id) is None  # not due while paused
    assert partners.sender.sent == []
    assert partners.stored(delivery_id).attempts == []

    partners.update(UpdateSubscriptionCommand(1, subscription.id, is_active=True))
    assert partners.relay(delivery_id) is DeliveryStatus.DELIVERED


def test_a_delivery_not_yet_due_is_not_sent(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.answer(500)
    partners.relay(delivery_id)

    partners.clock.advance(timedelta(seconds=4))

    assert partners.relay(delivery_id) is None
    assert len(partners.sender.sent) == 1
    assert len(partners.stored(delivery_id).attempts) == 1


def test_a_delivered_delivery_is_not_sent_again(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    partners.relay(delivery_id)

    partners.clock.advance(timedelta(days=1))

    assert partners.relay(delivery_id) is None
    assert len(partners.sender.sent) == 1


class PeekingSender:
    """Looks at the store while 'sending', as a second worker would."""

    def __init__(self, partners: Partners, delivery_id: UUID) -> None:
        self.partners = partners
        self.delivery_id = delivery_id
        self.claimable: list[bool] = []

    def send(self, url: str, address: str, headers: Mapping[str, str], body: str) -> SendResult:
        now = self.partners.clock.now()
        with self.partners.uow as uow:
            self.claimable.append(self.delivery_id in uow.deliveries.due_ids(now, 10))
            self.claimable.append(uow.deliveries.claim_due(now, 10, LEASE) != [])
        return SendResult(200, 1)


def test_while_one_worker_sends_the_lease_keeps_the_others_off(partners: Partners) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    peeking = PeekingSender(partners, delivery_id)
    sweep = SweepDeliveries(
        partners.uow,
        peeking,
        partners.resolver,
        partners.policy,
        partners.queue,
        partners.clock,
        lambda: 0.0,
    )

    assert sweep().attempted == 1
    assert partners.stored(delivery_id).status is DeliveryStatus.DELIVERED

    assert peeking.claimable == [False, False]
    assert timedelta(seconds=60) == LEASE


def test_a_worker_that_died_mid_send_leaves_it_due_once_the_lease_ends(
    partners: Partners,
) -> None:
    delivery_id = held_delivery(partners, partners.subscribe())
    with partners.uow as uow:  # what step 1 of a dead worker's sweep left behind
        assert [d.id for d in uow.deliveries.claim_due(NOW, 10, LEASE)] == [delivery_id]
        uow.commit()

    assert partners.relay(delivery_id) is None
    partners.clock.advance(LEASE)
    assert partners.relay(delivery_id) is DeliveryStatus.DELIVERED


def test_after_a_rotation_either_secret_verifies_for_a_day(live: Partners) -> None:
    subscription = live.subscribe()
    old_secret = subscription.secret
    rotated = live.rotate(RotateSecretCommand(1, subscription.id))
    delivery_id = held_delivery(live, subscription)

    live.relay(delivery_id)

    ((_, headers, body),) = live.sender.sent
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(old_secret).verify(body, headers)
    Webhook(rotated.secret).verify(body, headers)
