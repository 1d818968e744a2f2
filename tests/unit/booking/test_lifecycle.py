"""The booking's status machine, step by step, with the seats each step moves."""

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from domain.booking.booking import Booking, BookingLine, BookingStatus, Payment
from domain.booking.errors import (
    CannotCancel,
    CannotConfirm,
    CannotExpire,
    IllegalTransition,
    PaymentMismatch,
)
from domain.booking.events import (
    BookingCancelled,
    BookingConfirmed,
    BookingExpired,
    BookingHeld,
    RefundIssued,
)
from domain.catalog.slot import Slot
from domain.shared.errors import Conflict
from domain.shared.money import Money
from tests.unit.booking.builders import (
    HOLD_FOR,
    NOW,
    a_slot,
    by_id,
    counters,
    hold,
    payment_for,
    policies,
)

LATER = NOW + HOLD_FOR  # the moment the hold lapses


@pytest.fixture
def slot() -> Slot:
    """Ten seats at 25.00 EUR, three days after NOW."""
    return a_slot(capacity=10)


@pytest.fixture
def booking(slot: Slot) -> Booking:
    """Three seats held in `slot` at NOW."""
    return hold((slot, 3))


def kinds(booking: Booking) -> list[type]:
    return [type(event) for event in booking.events]


# ---------------------------------------------------------------- allowed steps


def test_hold_sets_seats_aside_and_records_booking_held(booking: Booking, slot: Slot) -> None:
    assert booking.status is BookingStatus.HELD
    assert booking.created_at == NOW
    assert booking.expires_at == NOW + HOLD_FOR
    assert booking.lines == (BookingLine(slot.id, 3, Money("25.00", "EUR")),)
    assert booking.total == Money("75.00", "EUR")
    assert booking.payment is None
    assert booking.refund is None
    assert counters(slot) == [(7, 3, 0)]
    assert booking.events == [BookingHeld(NOW, booking.id, booking.reference)]


def test_confirm_turns_held_seats_into_booked_ones(booking: Booking, slot: Slot) -> None:
    payment = payment_for(booking)

    booking.confirm(payment, by_id([slot]), NOW)

    assert booking.status is BookingStatus.CONFIRMED
    assert booking.payment == payment
    assert counters(slot) == [(7, 0, 3)]
    assert booking.events[-1] == BookingConfirmed(NOW, booking.id, booking.reference)


def test_a_lapsed_but_unexpired_hold_can_still_be_confirmed(booking: Booking, slot: Slot) -> None:
    booking.confirm(payment_for(booking), by_id([slot]), LATER)

    assert booking.status is BookingStatus.CONFIRMED


def test_cancelling_a_hold_gives_the_seats_back_and_refunds_nothing(
    booking: Booking, slot: Slot
) -> None:
    refund = booking.cancel(by_id([slot]), policies([slot]), NOW)

    assert refund is None
    assert booking.status is BookingStatus.CANCELLED
    assert booking.refund is None
    assert counters(slot) == [(10, 0, 0)]
    assert booking.events[-1] == BookingCancelled(NOW, booking.id, booking.reference, None)


def test_a_hold_expires_the_moment_it_lapses(booking: Booking, slot: Slot) -> None:
    assert booking.hold_has_lapsed(LATER)

    booking.expire(by_id([slot]), LATER)

    assert booking.status is BookingStatus.EXPIRED
    assert counters(slot) == [(10, 0, 0)]
    assert booking.events[-1] == BookingExpired(LATER, booking.id, booking.reference)


def test_cancelling_a_confirmed_booking_gives_booked_seats_back_with_a_refund(
    booking: Booking, slot: Slot
) -> None:
    booking.confirm(payment_for(booking), by_id([slot]), NOW)

    refund = booking.cancel(by_id([slot]), policies([slot]), NOW)

    assert refund is not None
    assert (refund.amount, refund.percent, refund.refund_id) == (Money("75.00", "EUR"), 100, None)
    assert booking.status is BookingStatus.CANCELLED
    assert booking.refund == refund
    assert counters(slot) == [(10, 0, 0)]
    assert booking.events[-1] == BookingCancelled(NOW, booking.id, booking.reference, refund.amount)


def test_every_step_moves_the_seats_of_every_line() -> None:
    first, second = a_slot(capacity=4), a_slot(capacity=6)
    slots = by_id([first, second])
    booking = hold((first, 4), (second, 2))
    assert counters(first, second) == [(0, 4, 0), (4, 2, 0)]

    booking.confirm(payment_for(booking), slots, NOW)
    assert counters(first, second) == [(0, 0, 4), (4, 0, 2)]

    booking.cancel(slots, policies(slots.values()), NOW)
    assert counters(first, second) == [(4, 0, 0), (6, 0, 0)]
    assert kinds(booking) == [BookingHeld, BookingConfirmed, BookingCancelled]


def test_the_refund_id_is_recorded_once_the_provider_accepts(booking: Booking, slot: Slot) -> None:
    booking.confirm(payment_for(booking), by_id([slot]), NOW)
    refund = booking.cancel(by_id([slot]), policies([slot]), NOW)
    assert refund is not None

    booking.record_refund("re_123", NOW)

    assert booking.refund == attrs.evolve(refund, refund_id="re_123")
    assert booking.events[-1] == RefundIssued(
        NOW, booking.id, booking.reference, refund.amount, "re_123"
    )


def test_no_refund_can_be_recorded_when_none_is_due(booking: Booking, slot: Slot) -> None:
    booking.cancel(by_id([slot]), policies([slot]), NOW)

    with pytest.raises(CannotCancel):
        booking.record_refund("re_123", NOW)


# ---------------------------------------------------------------- illegal steps


def confirmed(booking: Booking, slot: Slot) -> None:
    booking.confirm(payment_for(booking), by_id([slot]), NOW)


def cancelled(booking: Booking, slot: Slot) -> None:
    booking.cancel(by_id([slot]), policies([slot]), NOW)


def expired(booking: Booking, slot: Slot) -> None:
    booking.expire(by_id([slot]), LATER)


def still_held(booking: Booking, slot: Slot) -> None:
    pass


def confirm(booking: Booking, slot: Slot) -> None:
    booking.confirm(payment_for(booking), by_id([slot]), LATER)


def cancel(booking: Booking, slot: Slot) -> None:
    booking.cancel(by_id([slot]), policies([slot]), LATER)


def expire(booking: Booking, slot: Slot) -> None:
    booking.expire(by_id([slot]), LATER)


def expire_too_early(booking: Booking, slot: Slot) -> None:
    booking.expire(by_id([slot]), LATER - timedelta(microseconds=1))


Step = Callable[[Booking, Slot], None]


@pytest.mark.parametrize(
    ("reach", "step", "error", "status"),
    [
        pytest.param(confirmed, confirm, CannotConfirm, "confirmed", id="confirm twice"),
        pytest.param(cancelled, confirm, CannotConfirm, "cancelled", id="confirm cancelled"),
        pytest.param(expired, confirm, CannotConfirm, "expired", id="confirm expired"),
        pytest.param(cancelled, cancel, CannotCancel, "cancelled", id="cancel twice"),
        pytest.param(expired, cancel, CannotCancel, "expired", id="cancel expired"),
        pytest.param(confirmed, expire, CannotExpire, "confirmed", id="expire confirmed"),
        pytest.param(cancelled, expire, CannotExpire, "cancelled", id="expire cancelled"),
        pytest.param(expired, expire, CannotExpire, "expired", id="expire twice"),
        pytest.param(still_held, expire_too_early, CannotExpire, "held", id="expire before lapse"),
    ],
)
def test_an_illegal_step_is_refused_and_changes_nothing(
    booking: Booking,
    slot: Slot,
    reach: Step,
    step: Step,
    error: type[IllegalTransition],
    status: str,
) -> None:
    reach(booking, slot)
    before = (attrs.evolve(booking), list(booking.events), counters(slot))

    with pytest.raises(error) as raised:
        step(booking, slot)

    assert raised.value.status == status
    assert booking.reference in str(raised.value)
    assert isinstance(raised.value, Conflict)
    assert (booking, booking.events, counters(slot)) == before


@pytest.mark.parametrize(
    "amount",
    [
        pytest.param(Money("74.99", "EUR"), id="too little"),
        pytest.param(Money("75.01", "EUR"), id="too much"),
        pytest.param(Money("75.00", "USD"), id="other currency"),
        pytest.param(Money(Decimal(0), "EUR"), id="nothing"),
    ],
)
def test_a_payment_that_does_not_match_the_total_changes_nothing(
    booking: Booking, slot: Slot, amount: Money
) -> None:
    before = (attrs.evolve(booking), list(booking.events), counters(slot))

    with pytest.raises(PaymentMismatch, match=r"75\.00 EUR"):
        booking.confirm(Payment("sandbox", "pay_1", amount), by_id([slot]), NOW)

    assert (booking, booking.events, counters(slot)) == before
    assert booking.status is BookingStatus.HELD
    assert booking.payment is None
