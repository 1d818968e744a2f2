"""The payment rules of the Booking aggregate, without any use case: what a succeeded or
failed payment does to a booking, which attempt checkout may reuse, what may be paid,
and which refunds the booking knows."""

from datetime import timedelta

import pytest

from domain.booking.booking import Booking, BookingStatus
from domain.booking.errors import CannotCheckout
from domain.booking.events import BookingConfirmed, PaymentFailed, PaymentReturned, RefundIssued
from domain.booking.payments import (
    Payment,
    PaymentAttempt,
    PaymentDecision,
    PaymentStatus,
    ReturnedPayment,
    ReturnReason,
)
from domain.catalog.slot import Slot
from domain.shared.money import Money
from tests.unit.booking.builders import HOLD_FOR, NOW, a_slot, by_id, counters, hold, policies

LATER = NOW + HOLD_FOR  # the moment the hold lapses


@pytest.fixture
def slot() -> Slot:
    """Ten seats at 25.00 EUR, three days after NOW."""
    return a_slot(capacity=10)


@pytest.fixture
def booking(slot: Slot) -> Booking:
    """Three seats (75.00 EUR) held in `slot` at NOW; its BookingHeld already collected."""
    booking = hold((slot, 3))
    booking.events.clear()
    return booking


def attempt(
    booking: Booking, payment_id: str = "pay_1", when: timedelta = timedelta()
) -> PaymentAttempt:
    return PaymentAttempt(
        provider="sandbox",
        payment_id=payment_id,
        amount=booking.total,
        pay_url=f"https://pay.invalid/{payment_id}",
        status=PaymentStatus.PENDING,
        created_at=NOW + when,
    )


def paid(booking: Booking, payment_id: str = "pay_1", amount: Money | None = None) -> Payment:
    return Payment("sandbox", payment_id, amount or booking.total)


def started(booking: Booking, *payment_ids: str) -> Booking:
    for payment_id in payment_ids:
        booking.start_payment(attempt(booking, payment_id), NOW)
    return booking


def statuses(booking: Booking) -> list[PaymentStatus]:
    return [attempt.status for attempt in booking.attempts]


# ---------------------------------------------------------------- payment succeeded


def test_a_payment_of_the_total_confirms_a_held_booking_and_books_its_seats(
    booking: Booking, slot: Slot
) -> None:
    started(booking, "pay_1")
    slots = by_id([slot])

    decision = booking.payment_succeeded(paid(booking), slots, NOW)

    assert decision is PaymentDecision.CONFIRMED
    assert booking.status is BookingStatus.CONFIRMED
    assert booking.payment == paid(booking)
    assert statuses(booking) == [PaymentStatus.SUCCEEDED]
    assert counters(slot) == [(7, 0, 3)]
    assert booking.events == [BookingConfirmed(NOW, booking.id, booking.reference)]


def test_the_same_payment_reported_again_is_already_applied(booking: Booking, slot: Slot) -> None:
    slots = by_id([slot])
    booking.payment_succeeded(paid(booking), slots, NOW)
    booking.events.clear()

    decision = booking.payment_succeeded(paid(booking), slots, NOW)

    assert decision is PaymentDecision.ALREADY_APPLIED
    assert booking.returned == []
    assert booking.events == []
    assert counters(slot) == [(7, 0, 3)]


@pytest.mark.parametrize(
    "amount",
    [Money("74.99", "EUR"), Money("75.00", "USD")],
    ids=["another amount", "another currency"],
)
def test_a_payment_that_is_not_the_total_is_returned_and_the_booking_stays_held(
    booking: Booking, slot: Slot, amount: Money
) -> None:
    started(booking, "pay_1")
    payment = paid(booking, amount=amount)

    decision = booking.payment_succeeded(payment, by_id([slot]), NOW)

    assert decision is PaymentDecision.RETURNED
    assert booking.status is BookingStatus.HELD
    assert booking.payment is None
    assert booking.returned == [ReturnedPayment(payment, ReturnReason.AMOUNT_MISMATCH)]
    assert booking.events == [
        PaymentReturned(
            NOW, booking.id, booking.reference, "pay_1", amount, ReturnReason.AMOUNT_MISMATCH
        )
    ]
    assert counters(slot) == [(7, 3, 0)]
    assert statuses(booking) == [PaymentStatus.SUCCEEDED]  # it did succeed, at the provider
    booking.check_payable(NOW)  # still payable, with a new attempt


def test_a_second_payment_of_a_confirmed_booking_is_returned_as_already_paid(
    booking: Booking, slot: Slot
) -> None:
    slots = by_id([slot])
    booking.payment_succeeded(paid(booking, "pay_1"), slots, NOW)
    booking.events.clear()

    decision = booking.payment_succeeded(paid(booking, "pay_2"), slots, NOW)

    assert decision is PaymentDecision.RETURNED
    assert booking.payment == paid(booking, "pay_1")
    assert [(r.payment.payment_id, r.reason) for r in booking.returned] == [
        ("pay_2", ReturnReason.ALREADY_PAID)
    ]
    assert [type(event) for event in booking.events] == [PaymentReturned]
    assert counters(slot) == [(7, 0, 3)]


def test_a_payment_after_expiry_re_holds_and_confirms_while_seats_remain(
    booking: Booking, slot: Slot
) -> None:
    slots = by_id([slot])
    booking.expire(slots, LATER)
    booking.events.clear()

    decision = booking.payment_succeeded(paid(booking), slots, LATER)

    assert decision is PaymentDecision.CONFIRMED
    assert booking.status is BookingStatus.CONFIRMED
    assert counters(slot) == [(7, 0, 3)]
    assert booking.events == [BookingConfirmed(LATER, booking.id, booking.reference)]


def test_a_payment_after_expiry_is_returned_when_the_seats_were_sold_meanwhile(
    booking: Booking, slot: Slot
) -> None:
    slots = by_id([slot])
    booking.expire(slots, LATER)
    slot.hold(8)  # someone else took all but two
    booking.events.clear()

    decision = booking.payment_succeeded(paid(booking), slots, LATER)

    assert decision is PaymentDecision.RETURNED
    assert booking.status is BookingStatus.EXPIRED
    assert booking.payment is None
    assert booking.returned == [ReturnedPayment(paid(booking), ReturnReason.SOLD_OUT_AFTER_EXPIRY)]
    assert counters(slot) == [(2, 8, 0)]  # nothing half re-held


def test_a_payment_after_expiry_takes_every_line_or_none(slot: Slot) -> None:
    other = a_slot(capacity=4)
    booking = hold((slot, 3), (other, 2))
    slots = by_id([slot, other])
    booking.expire(slots, LATER)
    other.hold(3)  # one line can be re-held, the other cannot

    decision = booking.payment_succeeded(paid(booking), slots, LATER)

    assert decision is PaymentDecision.RETURNED
    assert booking.returned[0].reason is ReturnReason.SOLD_OUT_AFTER_EXPIRY
    assert counters(slot, other) == [(10, 0, 0), (1, 3, 0)]


def test_a_payment_for_a_cancelled_booking_is_returned(booking: Booking, slot: Slot) -> None:
    slots = by_id([slot])
    booking.cancel(slots, policies([slot]), NOW)
    booking.events.clear()

    decision = booking.payment_succeeded(paid(booking), slots, NOW)

    assert decision is PaymentDecision.RETURNED
    assert booking.status is BookingStatus.CANCELLED
    assert booking.returned == [ReturnedPayment(paid(booking), ReturnReason.BOOKING_CANCELLED)]
    assert counters(slot) == [(10, 0, 0)]


def test_a_returned_payment_reported_again_is_already_applied(booking: Booking, slot: Slot) -> None:
    slots = by_id([slot])
    wrong = paid(booking, amount=Money("1.00", "EUR"))
    booking.payment_succeeded(wrong, slots, NOW)
    booking.events.clear()

    decision = booking.payment_succeeded(wrong, slots, NOW)

    assert decision is PaymentDecision.ALREADY_APPLIED
    assert len(booking.returned) == 1
    assert booking.events == []


# ---------------------------------------------------------------- payment failed


def test_a_failed_payment_marks_its_attempt_and_leaves_the_booking_held(
    booking: Booking, slot: Slot
) -> None:
    started(booking, "pay_1")

    applied = booking.payment_failed("pay_1", NOW)

    assert applied is True
    assert booking.status is BookingStatus.HELD
    assert statuses(booking) == [PaymentStatus.FAILED]
    assert booking.events == [PaymentFailed(NOW, booking.id, booking.reference, "pay_1")]
    assert counters(slot) == [(7, 3, 0)]
    booking.check_payable(NOW)


def test_a_failure_reported_twice_is_applied_once(booking: Booking) -> None:
    started(booking, "pay_1")
    booking.payment_failed("pay_1", NOW)
    booking.events.clear()

    assert booking.payment_failed("pay_1", NOW) is False
    assert booking.events == []


def test_a_late_failure_of_a_payment_that_succeeded_changes_nothing(
    booking: Booking, slot: Slot
) -> None:
    started(booking, "pay_1")
    booking.payment_succeeded(paid(booking), by_id([slot]), NOW)
    booking.events.clear()

    assert booking.payment_failed("pay_1", NOW) is False
    assert booking.status is BookingStatus.CONFIRMED
    assert statuses(booking) == [PaymentStatus.SUCCEEDED]
    assert booking.events == []


def test_a_late_failure_of_a_returned_payment_changes_nothing(booking: Booking, slot: Slot) -> None:
    booking.payment_succeeded(paid(booking, amount=Money("1.00", "EUR")), by_id([slot]), NOW)
    booking.events.clear()

    assert booking.payment_failed("pay_1", NOW) is False
    assert booking.events == []


# ---------------------------------------------------------------- attempts and checkout


def test_the_pending_attempt_is_the_latest_one_still_pending(booking: Booking) -> None:
    assert booking.pending_attempt() is None

    started(booking, "pay_1")
    assert booking.pending_attempt() == attempt(booking, "pay_1")

    booking.payment_failed("pay_1", NOW)
    assert booking.pending_attempt() is None

    started(booking, "pay_2")
    assert booking.pending_attempt() == attempt(booking, "pay_2")


def test_a_held_booking_is_payable_until_its_hold_lapses(booking: Booking) -> None:
    booking.check_payable(NOW)
    booking.check_payable(LATER - timedelta(microseconds=1))

    with pytest.raises(CannotCheckout, match="expired"):
        booking.check_payable(LATER)


@pytest.mark.parametrize(
    "status", [BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.EXPIRED]
)
def test_only_a_held_booking_is_payable(booking: Booking, status: BookingStatus) -> None:
    booking.status = status

    with pytest.raises(CannotCheckout) as raised:
        booking.check_payable(NOW)

    assert raised.value.status == status


def test_a_payment_is_not_started_for_a_lapsed_hold(booking: Booking) -> None:
    with pytest.raises(CannotCheckout):
        booking.start_payment(attempt(booking), LATER)

    assert booking.attempts == []


# ---------------------------------------------------------------- refunds the booking knows


def test_recording_a_return_keeps_the_refund_id_and_announces_the_refund(
    booking: Booking, slot: Slot
) -> None:
    booking.cancel(by_id([slot]), policies([slot]), NOW)
    booking.payment_succeeded(paid(booking), by_id([slot]), NOW)
    booking.events.clear()

    booking.record_return("pay_1", "re_1", NOW)
    booking.record_return("pay_unknown", "re_2", NOW)  # not a returned payment: nothing

    assert booking.returned == [
        ReturnedPayment(paid(booking), ReturnReason.BOOKING_CANCELLED, "re_1")
    ]
    assert booking.events == [
        RefundIssued(NOW, booking.id, booking.reference, booking.total, "re_1")
    ]


def test_the_booking_knows_the_refunds_it_asked_for(booking: Booking, slot: Slot) -> None:
    slots = by_id([slot])
    booking.payment_succeeded(paid(booking, "pay_1"), slots, NOW)
    booking.payment_succeeded(paid(booking, "pay_2"), slots, NOW)  # returned: already paid
    assert not booking.knows_refund("re_return")

    booking.record_return("pay_2", "re_return", NOW)
    booking.cancel(slots, policies([slot]), NOW)  # three days ahead: 100% back
    booking.record_refund("re_cancel", NOW)

    assert booking.knows_refund("re_return")
    assert booking.knows_refund("re_cancel")
    assert not booking.knows_refund("re_someone_else")


def test_a_payment_is_applied_once_it_confirmed_the_booking_or_was_returned(
    booking: Booking, slot: Slot
) -> None:
    slots = by_id([slot])
    started(booking, "pay_1", "pay_2")
    assert not booking.has_applied("pay_1")

    booking.payment_succeeded(paid(booking, "pay_1"), slots, NOW)
    booking.payment_succeeded(paid(booking, "pay_2"), slots, NOW)  # returned: already paid

    assert booking.has_applied("pay_1")
    assert booking.has_applied("pay_2")
    assert not booking.has_applied("pay_3")
