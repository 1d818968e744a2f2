"""Use cases around deliveries: sweep what is due, send a test event, list a partner's
deliveries, and redeliver one."""

import json
from datetime import timedelta
from uuid import UUID, uuid4

import pytest

from application.partners.list_deliveries import ListDeliveriesQuery
from application.partners.redeliver import RedeliverCommand
from application.partners.send_test_event import SendTestEventCommand
from application.partners.update_subscription import UpdateSubscriptionCommand
from application.shared.pagination import PageRequest
from domain.booking.events import BookingHeld
from domain.partners.delivery import DeliveryStatus
from domain.partners.errors import DeliveryNotFound, SubscriptionNotFound
from domain.partners.events import TEST_EVENT_TYPE
from domain.partners.retry import SCHEDULE
from domain.partners.subscription import Subscription
from tests.unit.partners.builders import NOW, a_booking
from tests.unit.partners.partners import Partners


def held(partners: Partners, reference: str = "PS-7K3F9Q") -> list[UUID]:
    """A booking.held event recorded now for every subscription that wants it."""
    booking = a_booking(reference=reference)
    event = BookingHeld(partners.clock.now(), booking.id, reference)
    return partners.record([event], {booking.id: booking})


# ---------------------------------------------------------------- sweep


def test_a_sweep_sends_only_what_is_due(partners: Partners) -> None:
    partners.subscribe()
    (delivered,) = held(partners, "PS-AAAAAB")
    partners.relay(delivered)
    (retrying,) = held(partners, "PS-AAAAAC")
    partners.answer(500)
    partners.relay(retrying)  # failed: due again in 5 s
    (fresh,) = held(partners, "PS-AAAAAD")
    sent_before = len(partners.sender.sent)

    result = partners.sweep()

    assert result.attempted == 1
    assert partners.sent_ids()[sent_before:] == [partners.stored(fresh).webhook_id]
    assert partners.stored(fresh).status is DeliveryStatus.DELIVERED
    assert partners.stored(retrying).status is DeliveryStatus.PENDING


def test_a_later_sweep_picks_up_the_retry(partners: Partners) -> None:
    partners.subscribe()
    (delivery_id,) = held(partners)
    partners.answer(500)
    partners.relay(delivery_id)

    assert partners.sweep().attempted == 0
    partners.clock.advance(SCHEDULE[0])
    assert partners.sweep().attempted == 1
    assert partners.stored(delivery_id).status is DeliveryStatus.DELIVERED


def test_a_sweep_claims_batches_of_its_limit_oldest_due_first_while_they_come_back_full(
    partners: Partners,
) -> None:
    partners.subscribe()
    first = held(partners, "PS-AAAAAB")
    partners.clock.advance(timedelta(seconds=1))
    second = held(partners, "PS-AAAAAC")

    assert partners.sweep(limit=1).attempted == 2

    assert partners.sent_ids() == [
        partners.stored(first[0]).webhook_id,
        partners.stored(second[0]).webhook_id,
    ]
    # Each full batch asked for another run, so other worker processes join in.
    assert partners.queue.relays == 2


def test_a_sweep_with_nothing_due_sends_nothing(partners: Partners) -> None:
    assert partners.sweep().attempted == 0
    assert partners.sender.sent == []


# ---------------------------------------------------------------- test events


@pytest.mark.parametrize("format", ["standard-webhooks", "cloudevents"])
def test_a_test_event_is_queued_in_the_subscriptions_format(
    partners: Partners, format: str
) -> None:
    subscription = partners.subscribe(format=format)

    delivery = partners.test_event(subscription)

    assert partners.queue.queued == [delivery.id]
    assert partners.stored(delivery.id) == delivery
    assert delivery.event_type == TEST_EVENT_TYPE == "portside.test"
    assert (delivery.created_at, delivery.next_attempt_at) == (NOW, NOW)
    body = json.loads(delivery.body)
    assert body["data"] == {
        "message": "A test event from Portside.",
        "subscription_id": str(subscription.id),
    }
    cloudevents = format == "cloudevents"
    assert body["type"] == ("com.portside.test" if cloudevents else "portside.test")


def test_a_test_event_goes_out_even_to_a_subscription_with_an_event_filter(
    partners: Partners,
) -> None:
    subscription = partners.subscribe(event_types=frozenset({"booking.expired"}))

    delivery = partners.test_event(subscription)

    assert partners.relay(delivery.id) is DeliveryStatus.DELIVERED
    assert partners.sent_ids() == [delivery.webhook_id]


def test_a_test_event_for_another_partners_subscription_is_refused(partners: Partners) -> None:
    theirs = partners.subscribe(2)

    with pytest.raises(SubscriptionNotFound):
        partners.send_test_event(SendTestEventCommand(1, theirs.id))

    assert partners.deliveries() == []
    assert partners.queue.queued == []


# ---------------------------------------------------------------- list


def list_ids(partners: Partners, partner_id: int, **query: object) -> list[UUID]:
    page = partners.list_deliveries(ListDeliveriesQuery(partner_id, **query))  # type: ignore[arg-type]
    return [d.id for d in page.items]


def three_deliveries(partners: Partners) -> tuple[Subscription, Subscription, list[UUID]]:
    """Partner 1's two subscriptions and partner 2's one, a delivery each per event."""
    first, second = partners.subscribe(1), partners.subscribe(1)
    partners.subscribe(2)
    created = []
    for reference in ("PS-AAAAAB", "PS-AAAAAC", "PS-AAAAAD"):
        created += held(partners, reference)
        partners.clock.advance(timedelta(minutes=1))
    return first, second, created


def test_a_partner_lists_only_its_own_deliveries_newest_first(partners: Partners) -> None:
    first, second, _ = three_deliveries(partners)

    mine = partners.list_deliveries(ListDeliveriesQuery(1))

    assert mine.total == 6
    assert {partners.stored(d.id).subscription_id for d in mine.items} == {first.id, second.id}
    created = [d.created_at for d in mine.items]
    assert created == sorted(created, reverse=True)
    assert created[0] == NOW + timedelta(minutes=2)
    assert partners.list_deliveries(ListDeliveriesQuery(2)).total == 3
    assert partners.list_deliveries(ListDeliveriesQuery(3)).total == 0


def test_a_partner_lists_one_subscriptions_deliveries_a_page_at_a_time(
    partners: Partners,
) -> None:
    first, _, _ = three_deliveries(partners)

    page = partners.list_deliveries(ListDeliveriesQuery(1, first.id, PageRequest(1, 2)))

    assert page.total == 3
    assert len(page.items) == 2
    assert page.has_next
    assert all(d.subscription_id == first.id for d in page.items)
    assert page.items[0].created_at == NOW + timedelta(minutes=2)


def test_listing_another_partners_subscription_is_refused(partners: Partners) -> None:
    theirs = partners.subscribe(2)

    with pytest.raises(SubscriptionNotFound):
        partners.list_deliveries(ListDeliveriesQuery(1, theirs.id))
    with pytest.raises(SubscriptionNotFound):
        partners.list_deliveries(ListDeliveriesQuery(1, uuid4()))


def test_a_listed_delivery_carries_its_attempts(partners: Partners) -> None:
    partners.subscribe()
    (delivery_id,) = held(partners)
    partners.answer(500)
    partners.relay(delivery_id)

    (listed,) = partners.list_deliveries(ListDeliveriesQuery(1)).items

    assert [(a.number, a.status_code) for a in listed.attempts] == [(1, 500)]


# ---------------------------------------------------------------- redeliver


def dead(partners: Partners) -> UUID:
    (delivery_id,) = held(partners)
    partners.answer(*[500] * 8)
    for delay in SCHEDULE:
        partners.relay(delivery_id)
        partners.clock.advance(delay)
    partners.relay(delivery_id)
    assert partners.stored(delivery_id).status is DeliveryStatus.DEAD
    # A day of nothing but failures disabled the subscription; the partner enables it.
    subscription_id = partners.stored(delivery_id).subscription_id
    assert not partners.uow.subscriptions.subscriptions[subscription_id].is_active
    partners.update(UpdateSubscriptionCommand(1, subscription_id, is_active=True))
    return delivery_id


def test_a_dead_delivery_redelivered_is_sent_again_with_the_same_webhook_id(
    partners: Partners,
) -> None:
    partners.subscribe()
    delivery_id = dead(partners)
    partners.clock.advance(timedelta(days=2))
    partners.queue.queued.clear()

    redelivered = partners.redeliver(RedeliverCommand(1, delivery_id))

    assert redelivered.status is DeliveryStatus.PENDING
    assert redelivered.next_attempt_at == partners.clock.now()
    assert redelivered.round_starts_at == 8
    assert partners.queue.queued == [delivery_id]
    assert partners.relay(delivery_id) is DeliveryStatus.DELIVERED
    ids = partners.sent_ids()
    assert len(ids) == 9
    assert set(ids) == {redelivered.webhook_id}
    assert [a.number for a in partners.stored(delivery_id).attempts] == list(range(1, 10))


def test_a_redelivery_that_fails_starts_the_schedule_again(partners: Partners) -> None:
    partners.subscribe()
    delivery_id = dead(partners)
    partners.redeliver(RedeliverCommand(1, delivery_id))
    partners.answer(500)

    assert partners.relay(delivery_id) is DeliveryStatus.PENDING
    assert partners.stored(delivery_id).next_attempt_at == partners.clock.now() + SCHEDULE[0]


def test_a_delivered_delivery_may_be_redelivered(partners: Partners) -> None:
    partners.subscribe()
    (delivery_id,) = held(partners)
    partners.relay(delivery_id)

    partners.redeliver(RedeliverCommand(1, delivery_id))
    partners.relay(delivery_id)

    assert len(set(partners.sent_ids())) == 1
    assert len(partners.sender.sent) == 2


def test_another_partners_delivery_cannot_be_redelivered(partners: Partners) -> None:
    partners.subscribe(2)
    (theirs,) = held(partners)
    partners.relay(theirs)

    with pytest.raises(DeliveryNotFound):
        partners.redeliver(RedeliverCommand(1, theirs))
    with pytest.raises(DeliveryNotFound):
        partners.redeliver(RedeliverCommand(1, uuid4()))

    assert partners.stored(theirs).status is DeliveryStatus.DELIVERED
    assert partners.queue.queued == [theirs]  # only when it was recorded
