"""Booking.hold: the rules a new booking's lines meet, and all-or-nothing seat holding."""

from datetime import timedelta

import pytest

from domain.booking.booking import MAX_LINES, MAX_SEATS_PER_LINE, BookingStatus
from domain.booking.errors import InvalidBookingRequest
from domain.catalog.errors import NotEnoughSeats
from domain.catalog.slot import Slot
from domain.shared.errors import Conflict, InvalidInput
from domain.shared.money import Money
from tests.unit.booking.builders import NOW, a_slot, counters, hold


def refused(*lines: tuple[Slot, int], now: object = NOW) -> dict[tuple[str, int | None], str]:
    """The faults of a refused hold by (field, line), after checking that no slot moved."""
    slots = [slot for slot, _ in lines]
    before = counters(*slots)
    with pytest.raises(InvalidBookingRequest) as raised:
        hold(*lines, now=now)  # type: ignore[arg-type]
    assert counters(*slots) == before
    assert isinstance(raised.value, InvalidInput)
    return {(fault.field, fault.line): fault.message for fault in raised.value.faults}


# ---------------------------------------------------------------- seats per line


@pytest.mark.parametrize("seats", [1, MAX_SEATS_PER_LINE])
def test_a_line_holds_one_to_ten_seats(seats: int) -> None:
    slot = a_slot(capacity=20)

    booking = hold((slot, seats))

    assert booking.lines[0].seats == seats
    assert slot.seats_held == seats


@pytest.mark.parametrize("seats", [0, -1, MAX_SEATS_PER_LINE + 1])
def test_a_line_outside_one_to_ten_seats_is_refused(seats: int) -> None:
    fields = refused((a_slot(), 1), (a_slot(capacity=20), seats))

    assert set(fields) == {("seats", 1)}
    assert "1 to 10 seats" in fields["seats", 1]


# ---------------------------------------------------------------- lines


@pytest.mark.parametrize("count", [1, MAX_LINES])
def test_a_booking_has_one_to_five_lines(count: int) -> None:
    slots = [a_slot() for _ in range(count)]

    booking = hold(*((slot, 1) for slot in slots))

    assert [line.slot_id for line in booking.lines] == [slot.id for slot in slots]
    assert counters(*slots) == [(9, 1, 0)] * count


@pytest.mark.parametrize("count", [0, MAX_LINES + 1])
def test_no_lines_or_too_many_are_refused(count: int) -> None:
    fields = refused(*((a_slot(), 1) for _ in range(count)))

    assert set(fields) == {("lines", None)}


def test_a_slot_appears_once() -> None:
    slot, other = a_slot(), a_slot()

    fields = refused((slot, 1), (other, 1), (slot, 2))

    assert set(fields) == {("slot", 2)}
    assert "once" in fields["slot", 2]


@pytest.mark.parametrize(
    "starts_in",
    [
        pytest.param(timedelta(0), id="starting now"),
        pytest.param(-timedelta(hours=1), id="started"),
    ],
)
def test_a_slot_that_has_started_is_refused(starts_in: timedelta) -> None:
    fields = refused((a_slot(), 1), (a_slot(starts_in=starts_in), 1))

    assert set(fields) == {("slot", 1)}
    assert "started" in fields["slot", 1]


def test_a_slot_starting_a_moment_later_can_be_held() -> None:
    booking = hold((a_slot(starts_in=timedelta(microseconds=1)), 1))

    assert booking.status is BookingStatus.HELD


def test_a_booking_is_in_one_currency() -> None:
    fields = refused((a_slot(currency="EUR"), 1), (a_slot(currency="USD"), 1))

    assert set(fields) == {("lines", None)}
    assert "one currency" in fields["lines", None]


def test_every_broken_rule_is_reported_at_once() -> None:
    slot = a_slot()

    fields = refused((slot, 0), (slot, 1), (a_slot(starts_in=-timedelta(hours=1)), 11))

    assert set(fields) == {("seats", 0), ("slot", 1), ("slot", 2), ("seats", 2)}


def test_the_total_adds_up_every_line() -> None:
    booking = hold((a_slot(price="25.00"), 2), (a_slot(price="12.50"), 3))

    assert booking.total == Money("87.50", "EUR")


# ---------------------------------------------------------------- seats left


def test_every_seat_left_can_be_held() -> None:
    slot = a_slot(capacity=3)

    hold((slot, 3))

    assert counters(slot) == [(0, 3, 0)]


def test_asking_for_more_seats_than_are_left_is_a_conflict() -> None:
    slot = a_slot(capacity=5)
    hold((slot, 4))

    with pytest.raises(NotEnoughSeats) as raised:
        hold((slot, 2))

    assert (raised.value.slot_id, raised.value.requested, raised.value.available) == (slot.id, 2, 1)
    assert isinstance(raised.value, Conflict)
    assert counters(slot) == [(1, 4, 0)]


@pytest.mark.parametrize("short", [0, 1, 2])
def test_one_short_line_holds_no_seat_in_any_slot(short: int) -> None:
    """All or nothing: whichever line runs short, the slots before it are untouched too."""
    slots = [a_slot(capacity=10), a_slot(capacity=10), a_slot(capacity=10)]
    slots[short].hold(9)
    before = counters(*slots)

    with pytest.raises(NotEnoughSeats) as raised:
        hold(*((slot, 2) for slot in slots))

    assert raised.value.slot_id == slots[short].id
    assert counters(*slots) == before
