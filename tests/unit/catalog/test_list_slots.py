from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from application.catalog.list_slots import ListSlots, ListSlotsQuery
from application.shared.pagination import PageRequest
from domain.catalog.errors import ListingNotFound
from domain.catalog.listing import Listing
from domain.catalog.slot import Slot
from domain.shared.errors import Fault, InvalidInput
from tests.factories.domain import build_listing, build_slot
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository
from tests.fakes.clock import FixedClock

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

AddSlot = Callable[..., Slot]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def listing() -> Listing:
    return build_listing()


@pytest.fixture
def listings(listing: Listing) -> InMemoryListingRepository:
    return InMemoryListingRepository([listing])


@pytest.fixture
def slots() -> InMemorySlotRepository:
    return InMemorySlotRepository()


@pytest.fixture
def list_slots(
    listings: InMemoryListingRepository, slots: InMemorySlotRepository, clock: FixedClock
) -> ListSlots:
    return ListSlots(listings=listings, slots=slots, clock=clock)


@pytest.fixture
def add_slot(slots: InMemorySlotRepository, listing: Listing) -> AddSlot:
    """`add_slot(hours_from_now)`: a slot of the listing starting that many hours from NOW."""

    def add(hours: float, **fields: object) -> Slot:
        slot = build_slot(listing=listing, starts_at=NOW + hours * HOUR, **fields)
        slots.add(slot)
        return slot

    return add


def starts(page_items: Iterable[Slot]) -> list[float]:
    """Start times as hours from NOW, to read easily."""
    return [(slot.starts_at - NOW) / HOUR for slot in page_items]


def query(listing_id: UUID, **fields: object) -> ListSlotsQuery:
    return ListSlotsQuery(listing_id=listing_id, **fields)  # type: ignore[arg-type]


def test_upcoming_slots_earliest_first(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    for hours in (48, 2, 24):
        add_slot(hours)

    page = list_slots(query(listing.id))

    assert starts(page.items) == [2, 24, 48]
    assert page.total == 3


def test_slots_that_have_started_are_hidden(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    add_slot(-48)
    add_slot(-1)  # still running, but started
    add_slot(0)  # starts this very moment: still listed
    add_slot(1)

    assert starts(list_slots(query(listing.id)).items) == [0, 1]


def test_slots_disappear_as_the_clock_moves(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing, clock: FixedClock
) -> None:
    add_slot(1)
    add_slot(3)

    clock.advance(2 * HOUR)

    assert starts(list_slots(query(listing.id)).items) == [3]


def test_other_listings_slots_are_not_listed(
    add_slot: AddSlot,
    list_slots: ListSlots,
    listing: Listing,
    listings: InMemoryListingRepository,
    slots: InMemorySlotRepository,
) -> None:
    other = build_listing()
    listings.add(other)
    slots.add(build_slot(listing=other, starts_at=NOW + HOUR))
    mine = add_slot(2)

    assert list(list_slots(query(listing.id)).items) == [mine]


def test_the_window_is_from_inclusive_to_exclusive(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    for hours in (1, 2, 3, 4, 5):
        add_slot(hours)

    page = list_slots(query(listing.id, starts_from=NOW + 2 * HOUR, starts_before=NOW + 4 * HOUR))

    assert starts(page.items) == [2, 3]
    assert page.total == 2


def test_a_window_from_the_past_starts_now(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    add_slot(-2)
    add_slot(1)

    page = list_slots(query(listing.id, starts_from=NOW - timedelta(days=7)))

    assert starts(page.items) == [1]


def test_a_window_wholly_in_the_past_is_empty(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    add_slot(-5)
    add_slot(-3)

    page = list_slots(query(listing.id, starts_from=NOW - 6 * HOUR, starts_before=NOW - 2 * HOUR))

    assert list(page.items) == []
    assert page.total == 0


def test_a_window_with_only_an_end(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    for hours in (-1, 1, 2, 3):
        add_slot(hours)

    assert starts(list_slots(query(listing.id, starts_before=NOW + 3 * HOUR)).items) == [1, 2]


@pytest.mark.parametrize("length", [timedelta(0), -HOUR])
def test_a_window_must_end_after_it_starts(
    list_slots: ListSlots, listing: Listing, length: timedelta
) -> None:
    starts_from = NOW + timedelta(days=1)

    with pytest.raises(InvalidInput) as invalid:
        list_slots(query(listing.id, starts_from=starts_from, starts_before=starts_from + length))

    assert invalid.value.faults == (Fault("starts_before", "Must be after the window's start."),)


def test_slots_are_paged(add_slot: AddSlot, list_slots: ListSlots, listing: Listing) -> None:
    for hours in range(1, 6):
        add_slot(hours)

    first = list_slots(query(listing.id, page=PageRequest(1, 2)))
    last = list_slots(query(listing.id, page=PageRequest(3, 2)))

    assert (starts(first.items), first.total, first.has_next) == ([1, 2], 5, True)
    assert (starts(last.items), last.total, last.has_next) == ([5], 5, False)


def test_seats_left_are_reported(
    add_slot: AddSlot, list_slots: ListSlots, listing: Listing
) -> None:
    add_slot(1, capacity=8, seats_held=2, seats_booked=3)

    (slot,) = list_slots(query(listing.id)).items

    assert (slot.capacity, slot.seats_available) == (8, 3)


def test_slots_of_an_unpublished_listing_are_not_found(
    list_slots: ListSlots, listings: InMemoryListingRepository, slots: InMemorySlotRepository
) -> None:
    hidden = build_listing(is_published=False)
    listings.add(hidden)
    slots.add(build_slot(listing=hidden, starts_at=NOW + HOUR))

    with pytest.raises(ListingNotFound):
        list_slots(query(hidden.id))


def test_slots_of_a_missing_listing_are_not_found(list_slots: ListSlots) -> None:
    with pytest.raises(ListingNotFound):
        list_slots(query(uuid4()))
