"""Use case: the scheduled sweep that expires holds that lapsed unpaid."""

from collections.abc import Callable
from datetime import timedelta
from typing import Self

from application.booking.expire_holds import ExpireHolds, ExpireHoldsCommand
from domain.booking.booking import Booking, BookingStatus
from domain.booking.events import BookingExpired
from tests.confirm import confirm_in
from tests.fakes.booking import InMemoryUnitOfWork
from tests.unit.booking.builders import HOLD_FOR, counters, payment_for
from tests.unit.booking.shop import Shop


def test_only_lapsed_holds_expire_and_their_seats_return(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    lapsing = shop.hold((slot, 2))
    shop.wait(timedelta(minutes=10))
    fresh = shop.hold((slot, 3))
    shop.wait(HOLD_FOR - timedelta(minutes=10))  # `lapsing` ends now, `fresh` in 10 minutes
    shop.published.clear()

    result = shop.expire()

    assert result.expired == 1
    assert shop.stored(lapsing).status is BookingStatus.EXPIRED
    assert shop.stored(fresh).status is BookingStatus.HELD
    assert counters(shop.stored_slot(slot)) == [(7, 3, 0)]
    assert shop.published == [
        BookingExpired(shop.clock.now(), lapsing.id, lapsing.reference),
    ]


def test_a_second_sweep_expires_nothing(shop: Shop) -> None:
    shop.hold((shop.slot(), 2))
    shop.wait(HOLD_FOR)
    assert shop.expire().expired == 1
    shop.published.clear()

    assert shop.expire().expired == 0
    assert shop.published == []


def test_paid_and_cancelled_bookings_are_left_alone(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    paid = shop.confirm(shop.hold((slot, 2)))
    cancelled = shop.cancel(shop.hold((slot, 3)))
    shop.wait(HOLD_FOR * 2)

    assert shop.expire().expired == 0
    assert shop.stored(paid).status is BookingStatus.CONFIRMED
    assert shop.stored(cancelled).status is BookingStatus.CANCELLED
    assert counters(shop.stored_slot(slot)) == [(8, 0, 2)]


def test_a_sweep_expires_at_most_a_batch(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    for _ in range(3):
        shop.hold((slot, 1))
    shop.wait(HOLD_FOR)

    assert shop.expire(batch_size=2).expired == 2
    assert shop.expire(batch_size=2).expired == 1
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]


class PaidMeanwhile(InMemoryUnitOfWork):
    """Runs `meanwhile` just before the unit of work is entered for the `at`-th time."""

    def __init__(self, shop: Shop, at: int, meanwhile: Callable[[], None]) -> None:
        super().__init__(shop.listings, shop.slot_store, shop.bookings, published=shop.published)
        self.entered, self.at, self.meanwhile = 0, at, meanwhile

    def __enter__(self) -> Self:
        self.entered += 1
        if self.entered == self.at:
            self.meanwhile()
        return super().__enter__()


def test_a_booking_paid_after_the_sweep_looked_is_left_alone(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    booking: Booking = shop.hold((slot, 2))
    shop.wait(HOLD_FOR)

    def pay() -> None:  # another worker confirms between the sweep's look and its step
        other = InMemoryUnitOfWork(
            shop.listings, shop.slot_store, shop.bookings, published=shop.published
        )
        confirm_in(other, booking.id, payment_for(booking), shop.clock.now())

    uow = PaidMeanwhile(shop, at=2, meanwhile=pay)

    assert ExpireHolds(uow, shop.clock)(ExpireHoldsCommand()).expired == 0
    assert uow.entered == 2  # the sweep did find the lapsed hold, then left it alone
    assert shop.stored(booking).status is BookingStatus.CONFIRMED
    assert counters(shop.stored_slot(slot)) == [(8, 0, 2)]
