"""One contract, two implementations: the in-memory fakes the unit tests trust must
behave like the Django repositories production runs on."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from adapters.catalog.repositories import DjangoListingRepository, DjangoSlotRepository
from application.catalog.ports import ListingRepository, SlotRepository
from application.shared.pagination import PageRequest
from domain.catalog.listing import Listing
from domain.catalog.policy import CancellationPolicy, RefundTier
from domain.catalog.slot import Slot
from domain.shared.money import Money
from tests.factories.domain import build_listing, build_slot
from tests.factories.orm import listing_row, slot_row
from tests.fakes.catalog import InMemoryListingRepository, InMemorySlotRepository

T0 = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
EVERYTHING = PageRequest(1, 100)


@dataclass(frozen=True)
class Catalog:
    """A pair of repositories and how to put things in them."""

    listings: ListingRepository
    slots: SlotRepository
    add_listing: Callable[[Listing], object]
    add_slot: Callable[[Slot], object]

    def listing(self, **fields: object) -> Listing:
        listing: Listing = build_listing(**fields)
        self.add_listing(listing)
        return listing

    def slot(self, listing: Listing, hours: float, **fields: object) -> Slot:
        """A slot of `listing` starting `hours` after T0."""
        slot: Slot = build_slot(listing=listing, starts_at=T0 + hours * HOUR, **fields)
        self.add_slot(slot)
        return slot


def memory_catalog() -> Catalog:
    listings, slots = InMemoryListingRepository(), InMemorySlotRepository()
    return Catalog(listings, slots, listings.add, slots.add)


def django_catalog() -> Catalog:
    return Catalog(DjangoListingRepository(), DjangoSlotRepository(), listing_row, slot_row)


# The mark matters: pytest-django creates the test database only if a collected test
# asks for it by mark or by a fixture *name*; `getfixturevalue("db")` alone is seen too
# late, and the tests would then run against the development database.
@pytest.fixture(params=["memory", pytest.param("django", marks=pytest.mark.django_db)])
def catalog(request: pytest.FixtureRequest) -> Catalog:
    if request.param == "django":
        request.getfixturevalue("db")
        return django_catalog()
    return memory_catalog()


def descending_ids(count: int) -> list[UUID]:
    """Random ids, largest first, so that adding them in this order is not sorted order."""
    return sorted((uuid4() for _ in range(count)), key=str, reverse=True)


# ---------------------------------------------------------------- listings


def test_published_lists_only_published_listings(catalog: Catalog) -> None:
    alpha = catalog.listing(title="Alpha tour")
    catalog.listing(title="Beta tour", is_published=False)
    gamma = catalog.listing(title="Gamma tour")

    page = catalog.listings.published(EVERYTHING)

    assert list(page.items) == [alpha, gamma]
    assert page.total == 2


def test_published_orders_by_title_then_id(catalog: Catalog) -> None:
    gamma = catalog.listing(title="Gamma tour")
    betas = [catalog.listing(title="Beta tour", id=id_) for id_ in descending_ids(3)]
    alpha = catalog.listing(title="Alpha tour")

    page = catalog.listings.published(EVERYTHING)

    assert list(page.items) == [alpha, *reversed(betas), gamma]


def test_published_pages_count_every_published_listing(catalog: Catalog) -> None:
    titles = ["Alpha tour", "Beta tour", "Delta tour", "Epsilon tour", "Gamma tour"]
    for title in titles:
        catalog.listing(title=title)
    for title in ("Aardvark tour", "Zeta tour"):
        catalog.listing(title=title, is_published=False)

    pages = [catalog.listings.published(PageRequest(number, 2)) for number in (1, 2, 3, 4)]

    assert [[listing.title for listing in page.items] for page in pages] == [
        titles[0:2],
        titles[2:4],
        titles[4:],
        [],
    ]
    assert [page.total for page in pages] == [5, 5, 5, 5]
    assert [page.has_next for page in pages] == [True, True, False, False]
    assert all(page.request == PageRequest(n, 2) for n, page in enumerate(pages, start=1))


def test_published_of_an_empty_catalogue(catalog: Catalog) -> None:
    page = catalog.listings.published(PageRequest())

    assert (list(page.items), page.total, page.has_next) == ([], 0, False)


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"currency": "JPY", "cancellation_policy": CancellationPolicy.non_refundable()},
        {
            "currency": "GBP",
            "description": "",
            "cancellation_policy": CancellationPolicy(
                [RefundTier(168, 100), RefundTier(72, 50), RefundTier(0, 10)]
            ),
        },
    ],
    ids=["flexible", "non-refundable", "three-tiers"],
)
def test_get_published_returns_the_listing_as_it_was_added(
    catalog: Catalog, fields: dict[str, object]
) -> None:
    listing = catalog.listing(title="Alpha tour", **fields)
    catalog.listing(title="Beta tour")

    assert catalog.listings.get_published(listing.id) == listing


def test_get_published_hides_an_unpublished_listing(catalog: Catalog) -> None:
    hidden = catalog.listing(is_published=False)

    assert catalog.listings.get_published(hidden.id) is None


def test_get_published_of_a_missing_listing(catalog: Catalog) -> None:
    catalog.listing()

    assert catalog.listings.get_published(uuid4()) is None


# ---------------------------------------------------------------- slots


def hours_after_t0(slots: Iterable[Slot]) -> list[float]:
    return [(slot.starts_at - T0) / HOUR for slot in slots]


def test_for_listing_window_includes_from_and_excludes_before(catalog: Catalog) -> None:
    listing = catalog.listing()
    for hours in (0, 1, 2, 3, 4):
        catalog.slot(listing, hours)

    page = catalog.slots.for_listing(listing.id, T0 + HOUR, T0 + 3 * HOUR, EVERYTHING)

    assert hours_after_t0(page.items) == [1, 2]
    assert page.total == 2


def test_for_listing_without_an_end(catalog: Catalog) -> None:
    listing = catalog.listing()
    for hours in (-1, 0, 1000):
        catalog.slot(listing, hours)

    page = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING)

    assert hours_after_t0(page.items) == [0, 1000]


def test_for_listing_compares_instants_whatever_the_offset(catalog: Catalog) -> None:
    listing = catalog.listing()
    plus_two = timezone(timedelta(hours=2))
    catalog.add_slot(
        build_slot(listing=listing, starts_at=datetime(2030, 6, 1, 10, tzinfo=plus_two))
    )
    later = build_slot(listing=listing, starts_at=datetime(2030, 6, 1, 12, tzinfo=plus_two))
    catalog.add_slot(later)

    page = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING)  # 09:00 UTC

    assert [slot.id for slot in page.items] == [later.id]  # 10:00+02:00 is 08:00 UTC
    assert page.items[0].starts_at == T0 + HOUR


def test_for_listing_orders_by_start_then_id(catalog: Catalog) -> None:
    listing = catalog.listing()
    late = catalog.slot(listing, 5)
    same_time = [catalog.slot(listing, 2, id=id_) for id_ in descending_ids(3)]
    early = catalog.slot(listing, 1)

    page = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING)

    assert list(page.items) == [early, *reversed(same_time), late]


def test_for_listing_only_that_listings_slots(catalog: Catalog) -> None:
    mine, other = catalog.listing(), catalog.listing()
    catalog.slot(other, 1)
    slot = catalog.slot(mine, 2)
    catalog.slot(other, 3)

    page = catalog.slots.for_listing(mine.id, T0, None, EVERYTHING)

    assert list(page.items) == [slot]
    assert page.total == 1


def test_for_listing_of_a_listing_without_slots(catalog: Catalog) -> None:
    listing = catalog.listing()

    page = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING)

    assert (list(page.items), page.total) == ([], 0)


def test_for_listing_pages_count_the_whole_window(catalog: Catalog) -> None:
    listing = catalog.listing()
    for hours in range(7):
        catalog.slot(listing, hours)

    window = (listing.id, T0 + HOUR, T0 + 6 * HOUR)  # five slots: 1..5
    pages = [catalog.slots.for_listing(*window, PageRequest(n, 2)) for n in (1, 2, 3)]

    assert [hours_after_t0(page.items) for page in pages] == [[1, 2], [3, 4], [5]]
    assert [page.total for page in pages] == [5, 5, 5]
    assert [page.has_next for page in pages] == [True, True, False]


def test_for_listing_preserves_seats_and_price(catalog: Catalog) -> None:
    listing = catalog.listing(currency="EUR")
    slot = catalog.slot(
        listing,
        1,
        capacity=12,
        seats_held=2,
        seats_booked=7,
        price=Money(Decimal("38.50"), "EUR"),
    )

    (found,) = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING).items

    assert found == slot
    assert (found.capacity, found.seats_held, found.seats_booked) == (12, 2, 7)
    assert found.seats_available == 3
    assert found.price == Money("38.50", "EUR")


def test_for_listing_prices_in_the_listings_currency(catalog: Catalog) -> None:
    listing = catalog.listing(currency="JPY")
    slot = catalog.slot(listing, 1, price=Money("8500", "JPY"))

    (found,) = catalog.slots.for_listing(listing.id, T0, None, EVERYTHING).items

    assert found == slot
    assert str(found.price.amount) == "8500"
    assert found.price.currency == "JPY"
