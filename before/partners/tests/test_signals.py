"""Booking changes reach partners: the deliveries are written in the booking's
transaction and sent once it commits, each with the booking's data."""

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from before.bookings.models import Booking
from before.catalog.models import Listing, Slot
from before.partners.models import Delivery, Partner, Subscription
from before.partners.tests.conftest import URL, Commit, PartnerClient, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold(db: None) -> Callable[[], Booking]:
    """Holds two seats at 25.00 EUR, thirty days ahead (full refund with two days'
    notice), for a new customer, in a transaction of its own."""
    listing = Listing.objects.create(
        title="Harbour by kayak",
        location="Lisbon",
        currency="EUR",
        cancellation_policy=[{"hours_before": 48, "refund_percent": 100}],
        is_published=True,
    )
    starts_at = timezone.now() + timedelta(days=30)
    slot = Slot.objects.create(
        listing=listing,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        capacity=10,
        price=Decimal("25.00"),
    )
    customer = get_user_model().objects.create_user(username="alice@example.com")

    def hold() -> Booking:
        with transaction.atomic():
            locked = Slot.objects.select_for_update().get(pk=slot.pk)
            return Booking.hold(customer, [(locked, 2)])

    return hold


def subscribe(partner: PartnerClient, format: str, **fields: Any) -> Subscription:
    return Subscription.objects.create(partner=partner.partner, url=URL, format=format, **fields)


def test_a_hold_is_written_for_each_subscription_and_sent_after_the_commit(
    partner: PartnerClient, hold: Callable[[], Booking], post: mock.Mock, commit: Commit
) -> None:
    every = [subscribe(partner, format) for format in ("standard-webhooks", "legacy-xml")]
    with commit():
        booking = hold()
        assert Delivery.objects.count() == 2  # in the booking's transaction
        post.assert_not_called()

    assert sorted(url for url, _, _ in sent(post)) == [URL, URL]
    for delivery in Delivery.objects.all():
        assert delivery.subscription in every
        assert delivery.event_type == "booking.held"
        assert delivery.booking_reference == booking.reference
        assert delivery.data == booking.webhook_data()
        assert delivery.data["lines"][0]["seats"] == 2
        assert delivery.status == "delivered"


def test_only_active_subscriptions_of_active_partners_that_want_the_event(
    partner: PartnerClient, other: PartnerClient, hold: Callable[[], Booking], commit: Commit
) -> None:
    wanted = subscribe(partner, "cloudevents", event_types=["booking.held"])
    subscribe(partner, "cloudevents", event_types=["booking.cancelled"])
    subscribe(partner, "cloudevents", is_active=False)
    subscribe(other, "cloudevents")
    Partner.objects.filter(pk=other.partner.pk).update(is_active=False)

    with commit():
        hold()

    assert [d.subscription for d in Delivery.objects.all()] == [wanted]


def test_a_rolled_back_change_sends_nothing(
    partner: PartnerClient, hold: Callable[[], Booking], post: mock.Mock, commit: Commit
) -> None:
    subscribe(partner, "standard-webhooks")

    def hold_then_fail() -> None:
        with transaction.atomic():
            hold()
            raise RuntimeError("the request fails after the hold")

    with commit(), pytest.raises(RuntimeError):
        hold_then_fail()

    assert not Delivery.objects.exists()
    post.assert_not_called()


def test_a_cancellation_tells_the_refund(
    partner: PartnerClient, hold: Callable[[], Booking], post: mock.Mock, commit: Commit
) -> None:
    subscribe(partner, "standard-webhooks", event_types=["booking.confirmed", "booking.cancelled"])
    booking = hold()
    with commit(), transaction.atomic():
        booking.confirm()
        booking.cancel()

    confirmed, cancelled = (json.loads(body) for _, _, body in sent(post))
    assert (confirmed["type"], confirmed["data"]["status"]) == ("booking.confirmed", "confirmed")
    assert (cancelled["type"], cancelled["data"]["status"]) == ("booking.cancelled", "cancelled")
    assert cancelled["data"]["refund"] == {"amount": "50.00", "currency": "EUR", "percent": 100}


def test_a_failing_partner_leaves_the_booking_alone(
    partner: PartnerClient, hold: Callable[[], Booking], post: mock.Mock, commit: Commit
) -> None:
    subscribe(partner, "cloudevents")
    post.side_effect = requests.Timeout("read timed out")

    with commit():
        booking = hold()

    assert Booking.objects.filter(pk=booking.pk, status="held").exists()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts.get().error) == (
        "pending",
        "Timeout: read timed out",
    )


def test_without_subscriptions_a_booking_writes_nothing(
    hold: Callable[[], Booking], post: mock.Mock, commit: Commit
) -> None:
    with commit():
        hold()

    assert not Delivery.objects.exists()
    post.assert_not_called()
