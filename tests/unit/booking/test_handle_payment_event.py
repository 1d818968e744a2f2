"""Use case: a provider event (verified and translated by its webhook adapter) applied to
its booking, once, with the outcome filed in the inbox.

Each rule of the payment flow has one test here named for it; the domain's side of the
same rules is in test_payment_rules.py, checkout's in test_checkout.py.
"""

from datetime import timedelta
from uuid import uuid4

import attrs
import pytest

from application.booking.handle_payment_event import HandlePaymentEventResult, Outcome
from application.shared.errors import ServiceUnavailable
from domain.booking.booking import Booking, BookingStatus
from domain.booking.errors import CannotCancel
from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    PaymentFailed,
    PaymentReturned,
    RefundIssued,
)
from domain.booking.payments import (
    Payment,
    PaymentEventKind,
    PaymentStatus,
    ReturnedPayment,
    ReturnReason,
)
from domain.catalog.slot import Slot
from domain.shared.money import Money
from tests.unit.booking.builders import HOLD_FOR, counters
from tests.unit.booking.shop import Shop

TOTAL = Money("75.00", "EUR")  # three seats at 25.00


@pytest.fixture
def slot(shop: Shop) -> Slot:
    return shop.slot(capacity=10)


@pytest.fixture
def booking(shop: Shop, slot: Slot) -> Booking:
    """Three seats held in `slot`, nothing published yet."""
    booking = shop.hold((slot, 3))
    shop.published.clear()
    return booking


def returned(shop: Shop, booking: Booking) -> list[ReturnedPayment]:
    return shop.stored(booking).returned


# ---------------------------------------------------------------- payment succeeded


def test_payment_succeeded_confirms_a_held_booking_and_publishes_after_commit(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    event = shop.succeeded(started.payment_id, TOTAL)
    status_when_published = []
    shop.uow.handlers.append(
        lambda events, _: status_when_published.extend(
            shop.stored(booking).status for e in events if isinstance(e, BookingConfirmed)
        )
    )
    committed = shop.uow.committed

    result = shop.deliver(event)

    assert result == HandlePaymentEventResult(Outcome.CONFIRMED, booking.reference)
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.CONFIRMED
    assert stored.payment == Payment("fake", started.payment_id, TOTAL)
    assert [a.status for a in stored.attempts] == [PaymentStatus.SUCCEEDED]
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]  # held -> booked
    assert shop.published == [BookingConfirmed(event.occurred_at, booking.id, booking.reference)]
    assert status_when_published == [BookingStatus.CONFIRMED]  # the handler saw saved work
    assert shop.uow.committed == committed + 1
    assert shop.outcome(event) == "confirmed"
    assert shop.payments.refunds == {}


def test_the_same_event_delivered_twice_is_a_duplicate_and_does_nothing_twice(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    event = shop.succeeded(started.payment_id, TOTAL)
    shop.deliver(event)
    shop.published.clear()
    committed = shop.uow.committed

    again = shop.deliver(event)

    assert again == HandlePaymentEventResult(Outcome.DUPLICATE)
    assert shop.outcome(event) == "confirmed"  # the first delivery's outcome stays
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.published == []
    assert shop.uow.committed == committed
    assert shop.payments.calls == [("start_payment", f"checkout-{booking.id}-1")]


def test_another_event_for_an_applied_payment_is_already_applied(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    shop.deliver(shop.succeeded(started.payment_id, TOTAL))
    shop.published.clear()
    second = shop.succeeded(started.payment_id, TOTAL)  # new event id, same payment

    result = shop.deliver(second)

    assert result == HandlePaymentEventResult(Outcome.ALREADY_APPLIED, booking.reference)
    assert shop.outcome(second) == "already_applied"
    assert shop.stored(booking).returned == []
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.published == []
    assert shop.payments.refunds == {}


# ---------------------------------------------------------------- payment failed


def test_payment_failed_keeps_the_hold_and_the_customer_pays_again_with_a_new_attempt(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    first = shop.checkout(booking)
    declined = shop.failed(first.payment_id)

    result = shop.deliver(declined)

    assert result == HandlePaymentEventResult(Outcome.FAILED, booking.reference)
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.HELD
    assert [a.status for a in stored.attempts] == [PaymentStatus.FAILED]
    assert counters(shop.stored_slot(slot)) == [(7, 3, 0)]
    assert shop.published == [
        PaymentFailed(declined.occurred_at, booking.id, booking.reference, first.payment_id)
    ]
    assert shop.outcome(declined) == "failed"

    shop.wait(HOLD_FOR - timedelta(minutes=1))  # still within the hold
    second = shop.checkout(booking)
    paid = shop.deliver(shop.succeeded(second.payment_id, TOTAL))

    assert second.payment_id != first.payment_id
    assert shop.payments.calls == [
        ("start_payment", f"checkout-{booking.id}-1"),
        ("start_payment", f"checkout-{booking.id}-2"),
    ]
    assert paid.outcome is Outcome.CONFIRMED
    assert [a.status for a in shop.stored(booking).attempts] == [
        PaymentStatus.FAILED,
        PaymentStatus.SUCCEEDED,
    ]


def test_a_late_failure_for_a_payment_that_succeeded_changes_nothing(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    shop.deliver(shop.succeeded(started.payment_id, TOTAL))
    shop.published.clear()
    late = shop.failed(started.payment_id)

    result = shop.deliver(late)

    assert result == HandlePaymentEventResult(Outcome.ALREADY_APPLIED, booking.reference)
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.CONFIRMED
    assert [a.status for a in stored.attempts] == [PaymentStatus.SUCCEEDED]
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.published == []
    assert shop.outcome(late) == "already_applied"


# ---------------------------------------------------------------- payment after expiry


def test_payment_after_expiry_re_holds_and_confirms_while_seats_remain(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    shop.wait(HOLD_FOR)
    assert shop.expire().expired == 1
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    shop.published.clear()

    result = shop.deliver(shop.succeeded(started.payment_id, TOTAL))

    assert result.outcome is Outcome.CONFIRMED
    assert shop.stored(booking).status is BookingStatus.CONFIRMED
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert [type(event) for event in shop.published] == [BookingConfirmed]
    assert shop.payments.refunds == {}


def test_payment_after_expiry_with_the_seats_sold_is_refunded_in_full(
    shop: Shop, slot: Slot
) -> None:
    late = shop.hold((slot, 6))
    started = shop.checkout(late)
    shop.wait(HOLD_FOR)
    shop.expire()
    shop.pay(shop.hold((slot, 8), customer_id=2))  # someone else bought the seats meanwhile
    shop.published.clear()
    event = shop.succeeded(started.payment_id, Money("150.00", "EUR"))

    result = shop.deliver(event)

    key = f"return-{started.payment_id}"
    refund_id = f"re_{key}"
    payment = Payment("fake", started.payment_id, Money("150.00", "EUR"))
    assert result == HandlePaymentEventResult(Outcome.RETURNED, late.reference)
    assert shop.payments.refunds == {key: (started.payment_id, Money("150.00", "EUR"))}
    stored = shop.stored(late)
    assert stored.status is BookingStatus.EXPIRED
    assert stored.payment is None
    assert stored.returned == [
        ReturnedPayment(payment, ReturnReason.SOLD_OUT_AFTER_EXPIRY, refund_id)
    ]
    assert counters(shop.stored_slot(slot)) == [(2, 0, 8)]
    now = shop.clock.now()
    assert shop.published == [
        PaymentReturned(
            now,
            late.id,
            late.reference,
            started.payment_id,
            payment.amount,
            ReturnReason.SOLD_OUT_AFTER_EXPIRY,
        ),
        RefundIssued(now, late.id, late.reference, payment.amount, refund_id),
    ]
    assert shop.outcome(event) == "returned"
    assert shop.note(event) == "Refunded in full: sold_out_after_expiry."


# ---------------------------------------------------------------- payments returned


@pytest.mark.parametrize(
    "amount",
    [Money("70.00", "EUR"), Money("75.00", "USD")],
    ids=["another amount", "another currency"],
)
def test_a_payment_of_the_wrong_amount_is_refunded_and_the_booking_can_still_be_paid(
    shop: Shop, booking: Booking, slot: Slot, amount: Money
) -> None:
    wrong = shop.checkout(booking)

    result = shop.deliver(shop.succeeded(wrong.payment_id, amount))

    key = f"return-{wrong.payment_id}"
    assert result.outcome is Outcome.RETURNED
    assert shop.payments.refunds == {key: (wrong.payment_id, amount)}
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.HELD
    assert stored.payment is None
    assert stored.returned == [
        ReturnedPayment(
            Payment("fake", wrong.payment_id, amount), ReturnReason.AMOUNT_MISMATCH, f"re_{key}"
        )
    ]
    assert counters(shop.stored_slot(slot)) == [(7, 3, 0)]
    assert [type(event) for event in shop.published] == [PaymentReturned, RefundIssued]

    right = shop.checkout(booking)  # the returned attempt is not pending: a new one
    paid = shop.deliver(shop.succeeded(right.payment_id, TOTAL))

    assert right.payment_id != wrong.payment_id
    assert paid.outcome is Outcome.CONFIRMED
    assert shop.stored(booking).status is BookingStatus.CONFIRMED
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert len(shop.payments.refunds) == 1


def test_a_second_payment_of_a_confirmed_booking_is_returned_as_already_paid(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    first = shop.checkout(booking)
    shop.deliver(shop.failed(first.payment_id))
    second = shop.checkout(booking)
    shop.deliver(shop.succeeded(second.payment_id, TOTAL))
    shop.published.clear()
    # The first payment succeeds after all (e.g. the bank reversed its decline).
    result = shop.deliver(shop.succeeded(first.payment_id, TOTAL))

    assert result.outcome is Outcome.RETURNED
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.CONFIRMED
    assert stored.payment == Payment("fake", second.payment_id, TOTAL)
    assert stored.returned == [
        ReturnedPayment(
            Payment("fake", first.payment_id, TOTAL),
            ReturnReason.ALREADY_PAID,
            f"re_return-{first.payment_id}",
        )
    ]
    assert shop.payments.refunds == {f"return-{first.payment_id}": (first.payment_id, TOTAL)}
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert [type(event) for event in shop.published] == [PaymentReturned, RefundIssued]


def test_a_payment_for_a_booking_cancelled_while_held_is_returned(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    shop.cancel(booking)
    shop.published.clear()

    result = shop.deliver(shop.succeeded(started.payment_id, TOTAL))

    assert result.outcome is Outcome.RETURNED
    stored = shop.stored(booking)
    assert stored.status is BookingStatus.CANCELLED
    assert stored.returned == [
        ReturnedPayment(
            Payment("fake", started.payment_id, TOTAL),
            ReturnReason.BOOKING_CANCELLED,
            f"re_return-{started.payment_id}",
        )
    ]
    assert shop.payments.refunds == {f"return-{started.payment_id}": (started.payment_id, TOTAL)}
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    assert [type(event) for event in shop.published] == [PaymentReturned, RefundIssued]


def test_a_provider_failure_while_returning_rolls_back_the_whole_event_inbox_included(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    started = shop.checkout(booking)
    shop.cancel(booking)
    shop.published.clear()
    event = shop.succeeded(started.payment_id, TOTAL)
    committed = shop.uow.committed
    shop.payments.fail_next = True

    with pytest.raises(ServiceUnavailable):
        shop.deliver(event)

    assert shop.outcome(event) is None  # the inbox row went with the rest
    stored = shop.stored(booking)
    assert stored.returned == []
    assert [a.status for a in stored.attempts] == [PaymentStatus.PENDING]
    assert shop.payments.refunds == {}
    assert shop.published == []
    assert shop.uow.committed == committed

    retried = shop.deliver(event)  # the provider retries the same event

    assert retried.outcome is Outcome.RETURNED  # processed afresh, not a duplicate
    assert shop.outcome(event) == "returned"
    assert len(returned(shop, booking)) == 1
    assert len(shop.payments.refunds) == 1
    assert [type(event) for event in shop.published] == [PaymentReturned, RefundIssued]


# ---------------------------------------------------------------- refund events


def test_a_refund_before_its_payment_is_deferred_then_filed_unmatched_once_the_payment_confirms(
    shop: Shop, booking: Booking
) -> None:
    started = shop.checkout(booking)
    # A refund Portside never asked for (e.g. made at the provider's dashboard),
    # whose event overtakes the payment's.
    refund = shop.refunded(started.payment_id, "re_dashboard", TOTAL)

    early = shop.deliver(refund)

    assert early == HandlePaymentEventResult(Outcome.DEFERRED, booking.reference)
    assert shop.outcome(refund) == "deferred"
    assert shop.stored(booking).status is BookingStatus.HELD

    paid = shop.deliver(shop.succeeded(started.payment_id, TOTAL))

    assert paid.outcome is Outcome.CONFIRMED
    assert shop.outcome(refund) == "unmatched"  # no longer waiting: filed for review
    assert shop.note(refund) == "A refund Portside did not ask for; check at the provider."
    assert shop.stored(booking).status is BookingStatus.CONFIRMED
    assert shop.payments.refunds == {}


def test_a_refund_before_the_payment_it_returns_is_deferred_then_settled(
    shop: Shop, booking: Booking
) -> None:
    """The provider accepted Portside's return, but the work that asked for it rolled
    back; the refund's event arrives before the provider retries the payment's."""
    started = shop.checkout(booking)
    shop.cancel(booking)
    refund = shop.refunded(started.payment_id, f"re_return-{started.payment_id}", TOTAL)

    early = shop.deliver(refund)

    assert early.outcome is Outcome.DEFERRED
    assert shop.outcome(refund) == "deferred"

    paid = shop.deliver(shop.succeeded(started.payment_id, TOTAL))

    assert paid.outcome is Outcome.RETURNED
    assert shop.outcome(refund) == "refund_settled"
    assert len(shop.payments.refunds) == 1


def test_a_refund_issued_at_cancellation_is_settled(shop: Shop, booking: Booking) -> None:
    shop.pay(booking)
    cancelled = shop.cancel(booking)
    assert cancelled.refund is not None
    assert cancelled.refund.refund_id is not None
    assert cancelled.payment is not None
    shop.published.clear()
    refund = shop.refunded(
        cancelled.payment.payment_id, cancelled.refund.refund_id, cancelled.refund.amount
    )

    result = shop.deliver(refund)

    assert result == HandlePaymentEventResult(Outcome.REFUND_SETTLED, booking.reference)
    assert shop.outcome(refund) == "refund_settled"
    assert shop.stored(booking) == cancelled
    assert shop.published == []
    assert len(shop.payments.refunds) == 1


def test_a_refund_of_a_returned_payment_is_settled(shop: Shop, booking: Booking) -> None:
    started = shop.checkout(booking)
    shop.deliver(shop.succeeded(started.payment_id, Money("1.00", "EUR")))
    refund = shop.refunded(
        started.payment_id, f"re_return-{started.payment_id}", Money("1.00", "EUR")
    )

    assert shop.deliver(refund).outcome is Outcome.REFUND_SETTLED


def test_a_refund_nobody_asked_for_on_a_confirmed_payment_is_unmatched(
    shop: Shop, booking: Booking
) -> None:
    started = shop.checkout(booking)
    shop.deliver(shop.succeeded(started.payment_id, TOTAL))
    refund = shop.refunded(started.payment_id, "re_dashboard", TOTAL)

    assert shop.deliver(refund).outcome is Outcome.UNMATCHED
    assert shop.outcome(refund) == "unmatched"
    assert shop.stored(booking).status is BookingStatus.CONFIRMED


def test_a_refund_nobody_asked_for_on_a_returned_payment_is_unmatched(
    shop: Shop, booking: Booking
) -> None:
    started = shop.checkout(booking)
    shop.cancel(booking)
    shop.deliver(shop.succeeded(started.payment_id, TOTAL))  # returned: booking cancelled
    refund = shop.refunded(started.payment_id, "re_dashboard", TOTAL)

    result = shop.deliver(refund)

    assert result.outcome is Outcome.UNMATCHED  # its payment is applied: nothing to wait for
    assert shop.outcome(refund) == "unmatched"


# ---------------------------------------------------------------- cancel with a refund


def test_cancelling_a_paid_booking_refunds_by_policy_exactly_once_even_when_retried(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    shop.pay(booking)
    shop.published.clear()
    shop.payments.fail_next = True

    with pytest.raises(ServiceUnavailable):  # the provider is down: nothing changes
        shop.cancel(booking)

    assert shop.stored(booking).status is BookingStatus.CONFIRMED
    assert shop.stored(booking).refund is None
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
    assert shop.payments.refunds == {}
    assert shop.published == []

    cancelled = shop.cancel(booking)  # the customer retries

    with pytest.raises(CannotCancel):  # and retries again
        shop.cancel(booking)

    key = f"refund-{booking.id}"
    assert cancelled.status is BookingStatus.CANCELLED
    assert cancelled.refund is not None
    assert cancelled.refund.amount == TOTAL  # three days ahead: 100% back
    assert [call for call in shop.payments.calls if call[0] == "refund"] == [
        ("refund", key),  # the failed call
        ("refund", key),  # the one that refunded
    ]
    assert cancelled.payment is not None
    assert shop.payments.refunds == {key: (cancelled.payment.payment_id, TOTAL)}
    assert counters(shop.stored_slot(slot)) == [(10, 0, 0)]
    assert [type(event) for event in shop.published] == [BookingCancelled, RefundIssued]


# ---------------------------------------------------------------- events that match nothing


@pytest.mark.parametrize("with_booking_id", [False, True], ids=["by payment", "by booking id"])
def test_an_event_for_an_unknown_booking_or_payment_is_unmatched_and_kept(
    shop: Shop, booking: Booking, with_booking_id: bool
) -> None:
    stranger = attrs.evolve(booking, id=uuid4())  # a booking id Portside never issued
    event = shop.succeeded("pay_unknown", TOTAL, booking=stranger if with_booking_id else None)
    committed = shop.uow.committed

    result = shop.deliver(event)

    assert result == HandlePaymentEventResult(Outcome.UNMATCHED)
    assert shop.outcome(event) == "unmatched"  # kept in the inbox for review
    assert shop.note(event) == "No booking for this payment."
    assert shop.uow.committed == committed + 1
    assert shop.stored(booking).status is BookingStatus.HELD
    assert shop.deliver(event).outcome is Outcome.DUPLICATE


def test_an_event_of_a_type_portside_does_not_act_on_is_ignored(
    shop: Shop, booking: Booking
) -> None:
    started = shop.checkout(booking)
    event = shop.event(None, started.payment_id, amount=TOTAL)

    result = shop.deliver(event)

    assert result == HandlePaymentEventResult(Outcome.IGNORED)
    assert shop.outcome(event) == "ignored"
    assert shop.stored(booking).status is BookingStatus.HELD
    assert shop.published == []


def test_a_succeeded_event_without_an_amount_is_unmatched(shop: Shop, booking: Booking) -> None:
    started = shop.checkout(booking)
    event = shop.event(PaymentEventKind.PAYMENT_SUCCEEDED, started.payment_id)

    result = shop.deliver(event)

    assert result.outcome is Outcome.UNMATCHED
    assert shop.note(event) == "A payment event without an amount."
    assert shop.stored(booking).status is BookingStatus.HELD


def test_the_booking_id_in_the_event_finds_the_booking_without_an_attempt(
    shop: Shop, booking: Booking, slot: Slot
) -> None:
    # e.g. the provider's event overtook the checkout's commit
    result = shop.deliver(shop.succeeded("pay_elsewhere", TOTAL, booking=booking))

    assert result == HandlePaymentEventResult(Outcome.CONFIRMED, booking.reference)
    assert shop.stored(booking).payment == Payment("fake", "pay_elsewhere", TOTAL)
    assert counters(shop.stored_slot(slot)) == [(7, 0, 3)]
