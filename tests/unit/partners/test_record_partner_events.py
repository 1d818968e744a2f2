"""Use case: the outbox. Booking events become delivery rows, one per subscription that
wants them, rendered in its format, and are queued to be sent once committed."""

import json
from datetime import timedelta

import pytest

from adapters.partners.formatters import FORMATTERS
from application.partners.payload_options import render
from application.partners.payloads import booking_data
from application.partners.ports import PartnerEvent
from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingHeld,
    PaymentFailed,
    RefundIssued,
)
from domain.catalog.errors import NotEnoughSeats
from domain.partners.delivery import DeliveryStatus
from domain.partners.payload_options import PayloadOptions
from domain.shared.money import Money
from tests.unit.partners.builders import NOW, a_booking
from tests.unit.partners.partners import Partners, shop_feeding

BOOKING = a_booking()
HELD = BookingHeld(NOW, BOOKING.id, BOOKING.reference)


def test_each_active_subscription_that_wants_the_event_gets_one_delivery(
    partners: Partners,
) -> None:
    every = partners.subscribe(1)
    held_only = partners.subscribe(2, event_types=frozenset({"booking.held"}))
    partners.subscribe(3, event_types=frozenset({"booking.cancelled"}))
    partners.subscribe(4, is_active=False)

    created = partners.record([HELD], {BOOKING.id: BOOKING})

    assert len(created) == 2
    assert sorted(str(d.subscription_id) for d in partners.deliveries()) == sorted(
        [str(every.id), str(held_only.id)]
    )
    assert all(d.event_type == "booking.held" for d in partners.deliveries())


def test_nothing_is_recorded_when_nobody_subscribes(partners: Partners) -> None:
    partners.subscribe(1, event_types=frozenset({"booking.expired"}))

    assert partners.record([HELD], {BOOKING.id: BOOKING}) == []
    assert partners.deliveries() == []
    assert partners.queue.queued == []


@pytest.mark.parametrize("format", list(FORMATTERS))
def test_the_body_is_rendered_in_the_subscriptions_format(partners: Partners, format: str) -> None:
    partners.subscribe(format=format)

    (delivery_id,) = partners.record([HELD], {BOOKING.id: BOOKING})

    delivery = partners.stored(delivery_id)
    expected = render(
        FORMATTERS[format],
        PartnerEvent(delivery.webhook_id, "booking.held", NOW, booking_data(BOOKING)),
        PayloadOptions(),
    )
    assert (delivery.content_type, delivery.body) == (expected.content_type, expected.body)


def test_a_delivery_is_pending_due_at_once_and_queued(partners: Partners) -> None:
    partners.subscribe()

    created = partners.record([HELD], {BOOKING.id: BOOKING})

    delivery = partners.stored(created[0])
    assert delivery.status is DeliveryStatus.PENDING
    assert (delivery.created_at, delivery.next_attempt_at) == (NOW, NOW)
    assert delivery.attempts == []
    assert partners.queue.queued == created


def test_every_delivery_has_its_own_webhook_id(partners: Partners) -> None:
    partners.subscribe(1)
    partners.subscribe(2)
    confirmed = BookingConfirmed(NOW, BOOKING.id, BOOKING.reference)

    partners.record([HELD, confirmed], {BOOKING.id: BOOKING})

    ids = [d.webhook_id for d in partners.deliveries()]
    assert len(ids) == len(set(ids)) == 4


def test_events_partners_cannot_subscribe_to_are_skipped(partners: Partners) -> None:
    partners.subscribe()
    events = [
        PaymentFailed(NOW, BOOKING.id, BOOKING.reference, "pay_1"),
        RefundIssued(NOW, BOOKING.id, BOOKING.reference, Money("1.00", "EUR"), "re_1"),
    ]

    assert partners.record(events, {BOOKING.id: BOOKING}) == []


@pytest.mark.parametrize(
    ("event", "name"),
    [
        (HELD, "booking.held"),
        (BookingConfirmed(NOW, BOOKING.id, BOOKING.reference), "booking.confirmed"),
        (BookingCancelled(NOW, BOOKING.id, BOOKING.reference, None), "booking.cancelled"),
        (BookingExpired(NOW, BOOKING.id, BOOKING.reference), "booking.expired"),
    ],
)
def test_each_booking_event_has_its_public_name(
    partners: Partners, event: object, name: str
) -> None:
    partners.subscribe()

    partners.record([event], {BOOKING.id: BOOKING})  # type: ignore[list-item]

    assert [d.event_type for d in partners.deliveries()] == [name]


# ---------------------------------------------------------------- wired to the booking unit of work


def test_a_hold_through_hold_seats_records_a_booking_held_delivery(partners: Partners) -> None:
    subscription = partners.subscribe()
    shop = shop_feeding(partners)
    slot = shop.slot(capacity=4)

    booking = shop.hold((slot, 2))

    (delivery,) = partners.deliveries()
    assert delivery.subscription_id == subscription.id
    assert delivery.event_type == "booking.held"
    assert partners.queue.queued == [delivery.id]
    sent = render(
        FORMATTERS["standard-webhooks"],
        PartnerEvent(delivery.webhook_id, "booking.held", NOW, booking_data(booking)),
        PayloadOptions(),
    )
    assert delivery.body == sent.body
    assert booking.reference in delivery.body
    assert shop.uow.committed == 1


def test_a_hold_that_fails_records_nothing(partners: Partners) -> None:
    partners.subscribe()
    shop = shop_feeding(partners)
    slot = shop.slot(capacity=1)

    with pytest.raises(NotEnoughSeats):
        shop.hold((slot, 2))

    assert partners.deliveries() == []
    assert partners.queue.queued == []
    assert shop.bookings.bookings == {}


def test_a_booking_through_its_life_tells_partners_each_step(partners: Partners) -> None:
    """Held, confirmed, then cancelled more than 48 h ahead: refunded in full."""
    partners.subscribe()
    shop = shop_feeding(partners)
    slot = shop.slot(starts_in=timedelta(days=3))
    booking = shop.hold((slot, 2))

    shop.confirm(booking)
    shop.cancel(booking)

    bodies = {d.event_type: d.body for d in partners.deliveries()}
    assert list(bodies) == ["booking.held", "booking.confirmed", "booking.cancelled"]
    cancelled = json.loads(bodies["booking.cancelled"])["data"]
    assert cancelled["status"] == "cancelled"
    assert cancelled["refund"] == {"amount": "50.00", "currency": "EUR", "percent": 100}
    assert json.loads(bodies["booking.held"])["data"]["refund"] is None


def test_an_expired_hold_tells_partners(partners: Partners) -> None:
    partners.subscribe(event_types=frozenset({"booking.expired"}))
    shop = shop_feeding(partners)
    booking = shop.hold((shop.slot(), 1))

    shop.wait(timedelta(minutes=16))
    shop.expire()

    (delivery,) = partners.deliveries()
    assert delivery.event_type == "booking.expired"
    assert booking.reference in delivery.body
