"""A payment succeeded, so the booking is confirmed and its seats booked: the domain's
`Booking.confirm` in a unit of work, as the payment webhook applies it
(`HandlePaymentEvent`, whose own tests cover what the provider sends)."""

import pytest

from domain.booking.booking import BookingStatus, Payment
from domain.booking.errors import CannotConfirm, PaymentMismatch
from domain.booking.events import BookingConfirmed
from domain.shared.money import Money
from tests.unit.booking.builders import NOW, counters, payment_for
from tests.unit.booking.shop import Shop


def test_confirming_books_the_held_seats_and_announces_it(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    booking = shop.hold((slot, 3))
    shop.published.clear()

    confirmed = shop.confirm(booking)

    stored = shop.stored(booking)
    assert confirmed.status is stored.status is BookingStatus.CONFIRMED
    assert stored.payment == payment_for(booking)
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.published == [BookingConfirmed(NOW, booking.id, booking.reference)]
    assert shop.uow.committed == 2


def test_a_payment_for_another_amount_changes_nothing(shop: Shop) -> None:
    slot = shop.slot()
    booking = shop.hold((slot, 2))
    shop.published.clear()
    wrong = Payment("sandbox", "pay_1", Money("25.00", "EUR"))

    with pytest.raises(PaymentMismatch):
        shop.confirm(booking, wrong)

    assert shop.stored(booking).status is BookingStatus.HELD
    assert shop.stored(booking).payment is None
    assert counters(shop.stored_slot(slot)) == [(8, 2, 0)]
    assert shop.published == []


def test_a_booking_is_confirmed_once(shop: Shop) -> None:
    slot = shop.slot()
    booking = shop.confirm(shop.hold((slot, 2)))
    shop.published.clear()

    with pytest.raises(CannotConfirm):
        shop.confirm(booking)

    assert counters(shop.stored_slot(slot)) == [(8, 0, 2)]
    assert shop.published == []
