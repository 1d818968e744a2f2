"""Bookings outlive their listing's publication; payments are matched to their provider;
one failing booking cannot stall the expiry sweep."""

from datetime import timedelta

import attrs
import pytest

from application.booking.handle_payment_event import Outcome
from domain.booking.booking import BookingStatus, unknown_slot
from domain.booking.errors import InvalidBookingRequest
from domain.catalog.listing import Listing
from domain.shared.money import InvalidMoney, Money
from tests.unit.booking.builders import HOLD_FOR
from tests.unit.booking.shop import Shop


@pytest.fixture
def shop() -> Shop:
    return Shop()


def unpublish(shop: Shop, listing_id: object) -> None:
    listing: Listing = shop.listings.listings[listing_id]  # type: ignore[index]
    shop.listings.add(attrs.evolve(listing, is_published=False))


def test_a_slot_of_an_unpublished_listing_cannot_be_held(shop: Shop) -> None:
    slot = shop.slot()
    unpublish(shop, slot.listing_id)
    with pytest.raises(InvalidBookingRequest) as refused:
        shop.hold((slot, 1))
    assert refused.value.faults == (unknown_slot(0),)


def test_bookings_of_an_unpublished_listing_still_pay_cancel_and_expire(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    paid, unpaid, cancelled = (shop.hold((slot, 1)) for _ in range(3))
    unpublish(shop, slot.listing_id)

    assert shop.pay(paid).outcome is Outcome.CONFIRMED
    assert shop.cancel(cancelled).status is BookingStatus.CANCELLED
    shop.wait(HOLD_FOR)
    assert shop.expire().expired == 1
    assert shop.stored(unpaid).status is BookingStatus.EXPIRED
    assert (shop.stored_slot(slot).seats_held, shop.stored_slot(slot).seats_booked) == (0, 1)


def test_a_payment_id_started_at_another_provider_is_not_ours(shop: Shop) -> None:
    booking = shop.hold((shop.slot(), 2))
    started = shop.checkout(booking)
    forged = attrs.evolve(
        shop.succeeded(started.payment_id, started.amount), provider="another-provider"
    )

    assert shop.deliver(forged).outcome is Outcome.UNMATCHED
    assert "another provider" in shop.note(forged)
    assert shop.stored(booking).status is BookingStatus.HELD
    assert shop.payments.refunds == {}


def test_a_payment_after_expiry_for_a_slot_that_has_started_is_returned(shop: Shop) -> None:
    slot = shop.slot(capacity=10)
    booking = shop.hold((slot, 2))
    started = shop.checkout(booking)
    shop.wait(HOLD_FOR)
    shop.expire()
    shop.wait(slot.starts_at - shop.clock.now() + timedelta(minutes=1))

    result = shop.deliver(shop.succeeded(started.payment_id, started.amount))

    assert result.outcome is Outcome.RETURNED
    assert shop.stored(booking).status is BookingStatus.EXPIRED
    assert shop.stored_slot(slot).seats_booked == 0


def test_one_booking_that_cannot_expire_does_not_stop_the_sweep(shop: Shop) -> None:
    lost, kept = shop.slot(capacity=10), shop.slot(capacity=10)
    broken, fine = shop.hold((lost, 1)), shop.hold((kept, 2))
    shop.wait(HOLD_FOR)
    del shop.slot_store.slots[lost.id]  # a corrupt database: the booking's slot is gone

    assert shop.expire().expired == 1
    assert shop.stored(fine).status is BookingStatus.EXPIRED
    assert shop.stored(broken).status is BookingStatus.HELD  # retried by the next sweep


def test_an_amount_too_large_for_money_is_refused_as_money() -> None:
    with pytest.raises(InvalidMoney):
        Money("1e30", "EUR")
