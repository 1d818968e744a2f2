"""Use case: cancel a booking; a paid one is refunded by policy through the provider."""

from datetime import timedelta

import pytest

from application.shared.errors import ServiceUnavailable
from domain.booking.booking import BookingStatus
from domain.booking.errors import BookingNotFound, CannotCancel
from domain.booking.events import BookingCancelled, RefundIssued
from domain.booking.refunds import Refund
from domain.shared.money import Money
from tests.unit.booking.builders import NOW, counters, payment_for
from tests.unit.booking.shop import Shop


def test_cancelling_a_hold_releases_the_seats_and_refunds_nothing(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    booking = shop.hold((slot, 3))
    shop.published.clear()

    cancelled = shop.cancel(booking)

    assert cancelled.status is shop.stored(booking).status is BookingStatus.CANCELLED
    assert cancelled.refund is None
    assert shop.payments.refunds == {}
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    assert shop.published == [BookingCancelled(NOW, booking.id, booking.reference, None)]


def test_cancelling_a_paid_booking_refunds_by_policy_through_the_provider(shop: Shop) -> None:
    slot = shop.slot(capacity=10, starts_in=timedelta(hours=36))  # the 50% tier
    booking = shop.confirm(shop.hold((slot, 3)))
    shop.published.clear()

    cancelled = shop.cancel(booking)

    key = f"refund-{booking.id}"
    amount = Money("37.50", "EUR")
    assert shop.payments.refunds == {key: (payment_for(booking).payment_id, amount)}
    assert cancelled.refund == Refund(amount, 50, f"re_{key}")
    assert shop.stored(booking).refund == cancelled.refund
    assert shop.stored(booking).status is BookingStatus.CANCELLED
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    assert shop.published == [
        BookingCancelled(NOW, booking.id, booking.reference, amount),
        RefundIssued(NOW, booking.id, booking.reference, amount, f"re_{key}"),
    ]


def test_a_paid_booking_past_every_tier_is_cancelled_without_calling_the_provider(
    shop: Shop,
) -> None:
    slot = shop.slot(starts_in=timedelta(hours=3))
    booking = shop.confirm(shop.hold((slot, 2)))
    shop.payments.fail_next = True  # any call would fail the cancellation

    cancelled = shop.cancel(booking)

    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.refund is None
    assert shop.payments.refunds == {}
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]


def test_a_provider_failure_cancels_nothing_and_a_retry_refunds_once(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    booking = shop.confirm(shop.hold((slot, 3)))
    shop.published.clear()
    committed = shop.uow.committed
    shop.payments.fail_next = True

    with pytest.raises(ServiceUnavailable):
        shop.cancel(booking)

    stored = shop.stored(booking)
    assert stored.status is BookingStatus.CONFIRMED
    assert stored.refund is None
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.payments.refunds == {}
    assert shop.published == []
    assert shop.uow.committed == committed

    cancelled = shop.cancel(stored)

    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.refund is not None
    assert cancelled.refund.amount == Money("75.00", "EUR")
    assert len(shop.payments.refunds) == 1
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    assert [type(event) for event in shop.published] == [BookingCancelled, RefundIssued]


def test_an_operator_cancels_any_customers_booking(shop: Shop) -> None:
    booking = shop.confirm(shop.hold((shop.slot(), 1), customer_id=42))

    cancelled = shop.cancel(booking, customer_id=None)

    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.refund is not None
    assert cancelled.refund.percent == 100


def test_a_customer_cannot_cancel_someone_elses_booking(shop: Shop) -> None:
    slot = shop.slot()
    booking = shop.hold((slot, 2), customer_id=1)
    shop.published.clear()

    with pytest.raises(BookingNotFound):
        shop.cancel(booking, customer_id=2)

    assert shop.stored(booking).status is BookingStatus.HELD
    assert counters(shop.stored_slot(slot)) == [(8, 2, 0)]
    assert shop.published == []


def test_a_cancelled_booking_cannot_be_cancelled_again(shop: Shop) -> None:
    booking = shop.cancel(shop.confirm(shop.hold((shop.slot(), 2))))

    with pytest.raises(CannotCancel):
        shop.cancel(booking)

    assert len(shop.payments.refunds) == 1
