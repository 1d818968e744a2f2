from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.catalog.errors import InvalidSlot, NotEnoughSeats, SeatAccountingError
from domain.catalog.slot import Slot
from domain.shared.errors import Conflict
from domain.shared.money import Money
from tests.factories.domain import build_slot

START = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


@pytest.fixture
def slot() -> Slot:
    """Ten seats, none taken."""
    return build_slot(starts_at=START, capacity=10)


def assert_seats_add_up(slot: Slot) -> None:
    assert slot.capacity == slot.seats_available + slot.seats_held + slot.seats_booked
    assert min(slot.seats_available, slot.seats_held, slot.seats_booked) >= 0


# ---------------------------------------------------------------- invariants


def test_a_valid_slot() -> None:
    slot = build_slot(starts_at=START, ends_at=START + timedelta(hours=2), capacity=1)

    assert slot.seats_available == 1
    assert_seats_add_up(slot)


@pytest.mark.parametrize("capacity", [0, -1])
def test_a_slot_has_at_least_one_seat(capacity: int) -> None:
    with pytest.raises(InvalidSlot, match="at least one seat"):
        build_slot(capacity=capacity)


@pytest.mark.parametrize("length", [timedelta(0), -timedelta(minutes=1)])
def test_a_slot_ends_after_it_starts(length: timedelta) -> None:
    with pytest.raises(InvalidSlot, match="ends after it starts"):
        build_slot(starts_at=START, ends_at=START + length)


@pytest.mark.parametrize("naive", ["starts_at", "ends_at"])
def test_slot_times_carry_a_time_zone(naive: str) -> None:
    times = {"starts_at": START, "ends_at": START + timedelta(hours=1)}
    times[naive] = times[naive].replace(tzinfo=None)

    with pytest.raises(InvalidSlot, match="time zone"):
        build_slot(**times)


def test_any_time_zone_will_do() -> None:
    lisbon_summer = timezone(timedelta(hours=1))
    slot = build_slot(starts_at=START.astimezone(lisbon_summer), ends_at=START + timedelta(hours=1))

    assert slot.starts_at == START


def test_a_seat_cannot_cost_less_than_nothing() -> None:
    with pytest.raises(InvalidSlot, match="less than nothing"):
        build_slot(price=Money("-0.01", "EUR"))


def test_a_seat_may_be_free() -> None:
    assert build_slot(price=Money.zero("EUR")).price == Money("0", "EUR")


@pytest.mark.parametrize(("held", "booked"), [(-1, 0), (0, -1)])
def test_seat_counts_cannot_be_negative(held: int, booked: int) -> None:
    with pytest.raises(InvalidSlot, match="negative"):
        build_slot(seats_held=held, seats_booked=booked)


def test_a_slot_cannot_take_more_seats_than_it_has() -> None:
    with pytest.raises(InvalidSlot, match="more seats"):
        build_slot(capacity=5, seats_held=3, seats_booked=3)


def test_a_full_slot_is_valid() -> None:
    slot = build_slot(capacity=5, seats_held=2, seats_booked=3)

    assert slot.seats_available == 0


def test_has_started_from_its_first_moment() -> None:
    slot = build_slot(starts_at=START)

    assert not slot.has_started(START - timedelta(microseconds=1))
    assert slot.has_started(START)
    assert slot.has_started(START + timedelta(days=1))


# ---------------------------------------------------------------- seat arithmetic


def test_hold_sets_seats_aside(slot: Slot) -> None:
    slot.hold(3)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == (7, 3, 0)
    assert_seats_add_up(slot)


def test_hold_every_last_seat(slot: Slot) -> None:
    slot.hold(4)
    slot.hold(6)

    assert slot.seats_available == 0
    assert_seats_add_up(slot)


def test_hold_more_than_is_left_is_refused_and_changes_nothing(slot: Slot) -> None:
    slot.hold(8)

    with pytest.raises(NotEnoughSeats) as refused:
        slot.hold(3)

    assert (refused.value.slot_id, refused.value.requested, refused.value.available) == (
        slot.id,
        3,
        2,
    )
    assert isinstance(refused.value, Conflict)
    assert "2 seat(s) left" in str(refused.value)
    assert (slot.seats_available, slot.seats_held) == (2, 8)


def test_booked_seats_count_against_a_hold() -> None:
    slot = build_slot(capacity=4, seats_booked=3)

    with pytest.raises(NotEnoughSeats):
        slot.hold(2)


def test_release_gives_held_seats_back(slot: Slot) -> None:
    slot.hold(5)
    slot.release(2)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == (7, 3, 0)
    assert_seats_add_up(slot)


def test_commit_turns_held_seats_into_booked_ones(slot: Slot) -> None:
    slot.hold(5)
    slot.commit(4)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == (5, 1, 4)
    assert_seats_add_up(slot)


def test_release_booked_gives_booked_seats_back(slot: Slot) -> None:
    slot.hold(5)
    slot.commit(5)
    slot.release_booked(2)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == (7, 0, 3)
    assert_seats_add_up(slot)


@pytest.mark.parametrize(
    ("setup", "operation", "seats"),
    [
        ([], "release", 1),
        ([("hold", 2)], "release", 3),
        ([], "commit", 1),
        ([("hold", 2)], "commit", 3),
        ([("hold", 2), ("commit", 2)], "release", 1),  # booked seats are not held
        ([], "release_booked", 1),
        ([("hold", 2), ("commit", 1)], "release_booked", 2),
    ],
)
def test_moving_seats_that_are_not_there_is_a_bug(
    slot: Slot, setup: list[tuple[str, int]], operation: str, seats: int
) -> None:
    for step, count in setup:
        getattr(slot, step)(count)
    before = (slot.seats_available, slot.seats_held, slot.seats_booked)

    with pytest.raises(SeatAccountingError):
        getattr(slot, operation)(seats)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == before


@pytest.mark.parametrize("operation", ["hold", "release", "commit", "release_booked"])
@pytest.mark.parametrize("seats", [0, -1])
def test_seats_move_in_positive_steps(slot: Slot, operation: str, seats: int) -> None:
    slot.hold(2)
    slot.commit(1)

    with pytest.raises(SeatAccountingError, match="positive"):
        getattr(slot, operation)(seats)

    assert (slot.seats_held, slot.seats_booked) == (1, 1)


def test_capacity_always_equals_available_held_and_booked(slot: Slot) -> None:
    """A booking's life, several times over: the seats add up after every step."""
    steps = [
        ("hold", 3),
        ("hold", 4),
        ("commit", 3),
        ("release", 2),
        ("hold", 5),
        ("commit", 7),
        ("release_booked", 4),
        ("hold", 4),
        ("release", 4),
        ("release_booked", 6),
    ]
    for operation, seats in steps:
        getattr(slot, operation)(seats)
        assert_seats_add_up(slot)

    assert (slot.seats_available, slot.seats_held, slot.seats_booked) == (10, 0, 0)
