"""Use case: check out a held booking (start a payment at the provider, or pick up the
one already started)."""

from datetime import timedelta

import pytest

from application.booking.checkout import CheckoutResult
from application.shared.errors import ServiceUnavailable
from domain.booking.booking import Booking
from domain.booking.errors import BookingNotFound, CannotCheckout
from domain.booking.payments import PaymentAttempt, PaymentStatus
from domain.shared.money import Money
from tests.unit.booking.builders import HOLD_FOR, NOW
from tests.unit.booking.shop import Shop


def held(shop: Shop, seats: int = 3) -> Booking:
    return shop.hold((shop.slot(capacity=10), seats))


def test_checking_out_a_held_booking_starts_a_payment_for_its_total(shop: Shop) -> None:
    booking = held(shop)
    committed = shop.uow.committed

    result = shop.checkout(booking)

    assert result == CheckoutResult(
        "pay_1", "fake", "https://pay.invalid/pay_1", Money("75.00", "EUR")
    )
    assert shop.payments.calls == [("start_payment", f"checkout-{booking.id}-1")]
    assert shop.stored(booking).attempts == [
        PaymentAttempt(
            "fake", "pay_1", Money("75.00", "EUR"), result.pay_url, PaymentStatus.PENDING, NOW
        )
    ]
    assert shop.uow.committed == committed + 1


def test_checking_out_again_reuses_the_pending_payment(shop: Shop) -> None:
    booking = held(shop)
    first = shop.checkout(booking)

    again = shop.checkout(booking)

    assert again == first
    assert len(shop.payments.calls) == 1
    assert len(shop.stored(booking).attempts) == 1


def test_after_a_failed_payment_checkout_starts_a_new_one(shop: Shop) -> None:
    booking = held(shop)
    first = shop.checkout(booking)
    shop.deliver(shop.failed(first.payment_id))

    second = shop.checkout(booking)

    assert second.payment_id != first.payment_id
    assert shop.payments.calls == [
        ("start_payment", f"checkout-{booking.id}-1"),
        ("start_payment", f"checkout-{booking.id}-2"),
    ]
    assert [(a.payment_id, a.status) for a in shop.stored(booking).attempts] == [
        (first.payment_id, PaymentStatus.FAILED),
        (second.payment_id, PaymentStatus.PENDING),
    ]


@pytest.mark.parametrize("status", ["confirmed", "cancelled", "expired"])
def test_only_a_held_booking_can_be_checked_out(shop: Shop, status: str) -> None:
    booking = held(shop)
    if status == "confirmed":
        shop.pay(booking)
    elif status == "cancelled":
        shop.cancel(booking)
    else:
        shop.wait(HOLD_FOR)
        shop.expire()
    calls = list(shop.payments.calls)
    attempts = list(shop.stored(booking).attempts)

    with pytest.raises(CannotCheckout, match=status):
        shop.checkout(booking)

    assert shop.payments.calls == calls
    assert shop.stored(booking).attempts == attempts


def test_a_lapsed_hold_cannot_be_checked_out_before_the_sweep_expires_it(shop: Shop) -> None:
    booking = held(shop)
    shop.wait(HOLD_FOR)

    with pytest.raises(CannotCheckout, match="expired"):
        shop.checkout(booking)

    assert shop.payments.calls == []
    assert shop.stored(booking).attempts == []


def test_a_hold_can_be_checked_out_until_its_last_moment(shop: Shop) -> None:
    booking = held(shop)
    shop.wait(HOLD_FOR - timedelta(seconds=1))

    assert shop.checkout(booking).payment_id == "pay_1"


def test_a_customer_cannot_check_out_someone_elses_booking(shop: Shop) -> None:
    booking = held(shop)

    with pytest.raises(BookingNotFound):
        shop.checkout(booking, customer_id=2)

    assert shop.payments.calls == []
    assert shop.stored(booking).attempts == []


def test_an_unknown_booking_cannot_be_checked_out(shop: Shop) -> None:
    booking = held(shop)
    booking.reference = "PS-ZZZZZZ"

    with pytest.raises(BookingNotFound):
        shop.checkout(booking)


def test_a_provider_failure_records_nothing_and_a_retry_starts_the_payment(shop: Shop) -> None:
    booking = held(shop)
    committed = shop.uow.committed
    shop.payments.fail_next = True

    with pytest.raises(ServiceUnavailable):
        shop.checkout(booking)

    assert shop.stored(booking).attempts == []
    assert shop.uow.committed == committed

    result = shop.checkout(booking)

    assert result.payment_id == "pay_1"
    assert shop.payments.calls == [("start_payment", f"checkout-{booking.id}-1")] * 2
    assert len(shop.stored(booking).attempts) == 1
