"""Use case: hold seats, against the in-memory adapters."""

from datetime import timedelta
from uuid import uuid4

import pytest

from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from domain.booking.booking import BookingLine, BookingStatus, unknown_slot
from domain.booking.errors import InvalidBookingRequest
from domain.booking.events import BookingHeld
from domain.catalog.errors import NotEnoughSeats
from domain.shared.errors import Fault
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from tests.unit.booking.builders import HOLD_FOR, NOW, counters
from tests.unit.booking.shop import Shop


def test_a_hold_is_stored_with_its_seats_and_announced(shop: Shop) -> None:
    first, second = shop.slot(capacity=10), shop.slot(capacity=4, price="12.50")

    booking = shop.hold((first, 2), (second, 4), customer_id=7)

    assert booking.reference == "PS-AAAAAC"
    assert booking.status is BookingStatus.HELD
    assert booking.customer_id == 7
    assert (booking.created_at, booking.expires_at) == (NOW, NOW + HOLD_FOR)
    assert booking.lines == (
        BookingLine(first.id, 2, Money("25.00", "EUR")),
        BookingLine(second.id, 4, Money("12.50", "EUR")),
    )
    assert booking.total == Money("100.00", "EUR")
    assert shop.stored(booking) == booking
    assert counters(shop.stored_slot(first), shop.stored_slot(second)) == [(8, 2, 0), (0, 4, 0)]
    assert shop.uow.committed == 1
    assert shop.published == [BookingHeld(NOW, booking.id, booking.reference)]
    assert booking.events == []  # handed to the bus, not published twice


def test_the_handlers_get_the_event_with_the_booking_saved_before_it_commits(
    shop: Shop,
) -> None:
    slot = shop.slot()
    seen: list[tuple[type, bool, int]] = []

    def handler(events: list[DomainEvent], bookings: object) -> None:
        for event in events:
            in_store = event.booking_id in shop.bookings.bookings
            seen.append((type(event), in_store, shop.uow.committed))

    shop.uow.handlers.append(handler)

    shop.hold((slot, 1))

    assert seen == [(BookingHeld, True, 0)]  # saved, in the unit of work, not yet committed
    assert shop.uow.committed == 1


def test_a_handler_that_fails_undoes_the_hold(shop: Shop) -> None:
    slot = shop.slot()

    def failing(events: list[DomainEvent], bookings: object) -> None:
        raise RuntimeError("the outbox could not write")

    shop.uow.handlers.append(failing)

    with pytest.raises(RuntimeError):
        shop.hold((slot, 1))

    assert_nothing_happened(shop)


def assert_nothing_happened(shop: Shop) -> None:
    assert shop.bookings.bookings == {}
    assert all(
        (slot.seats_held, slot.seats_booked) == (0, 0) for slot in shop.slot_store.slots.values()
    )
    assert shop.uow.committed == 0
    assert shop.published == []


def test_an_unknown_slot_is_a_field_error_and_nothing_is_held(shop: Shop) -> None:
    slot = shop.slot()

    with pytest.raises(InvalidBookingRequest) as raised:
        shop.hold_seats(HoldSeatsCommand(1, (HoldLine(slot.id, 2), HoldLine(uuid4(), 1))))

    assert raised.value.faults == (unknown_slot(1),)
    assert_nothing_happened(shop)


def test_a_slot_of_an_unpublished_listing_counts_as_unknown(shop: Shop) -> None:
    hidden = shop.slot(shop.listing(published=False))

    with pytest.raises(InvalidBookingRequest) as raised:
        shop.hold((shop.slot(), 1), (hidden, 1))

    assert raised.value.faults == (unknown_slot(1),)
    assert_nothing_happened(shop)


def test_a_started_slot_is_a_field_error(shop: Shop) -> None:
    slot = shop.slot(starts_in=timedelta(hours=1))
    shop.wait(timedelta(hours=1))

    with pytest.raises(InvalidBookingRequest) as raised:
        shop.hold((slot, 1))

    assert raised.value.faults == (Fault("slot", "This slot has already started.", line=0),)
    assert_nothing_happened(shop)


def test_more_than_five_lines_are_refused_before_anything_is_locked(shop: Shop) -> None:
    command = HoldSeatsCommand(1, tuple(HoldLine(shop.slot().id, 1) for _ in range(6)))

    with pytest.raises(InvalidBookingRequest) as raised:
        shop.hold_seats(command)

    assert [fault.field for fault in raised.value.faults] == ["lines"]
    assert_nothing_happened(shop)


def test_too_few_seats_in_any_slot_holds_none_and_commits_nothing(shop: Shop) -> None:
    roomy, tight = shop.slot(capacity=10), shop.slot(capacity=2)

    with pytest.raises(NotEnoughSeats) as raised:
        shop.hold((roomy, 3), (tight, 3))

    assert raised.value.slot_id == tight.id
    assert_nothing_happened(shop)
    assert counters(shop.stored_slot(roomy), shop.stored_slot(tight)) == [(10, 0, 0), (2, 0, 0)]


def test_seats_held_by_one_customer_are_gone_for_the_next(shop: Shop) -> None:
    slot = shop.slot(capacity=5)
    shop.hold((slot, 4), customer_id=1)

    with pytest.raises(NotEnoughSeats):
        shop.hold((slot, 2), customer_id=2)
    booking = shop.hold((slot, 1), customer_id=2)

    assert booking.reference == "PS-AAAAAE"  # the refused attempt used up PS-AAAAAD
    assert counters(shop.stored_slot(slot)) == [(0, 5, 0)]
    assert len(shop.published) == 2
