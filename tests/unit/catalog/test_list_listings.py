from collections.abc import Iterable
from uuid import UUID

import pytest

from application.catalog.list_listings import ListListings, ListListingsQuery
from application.shared.pagination import PageRequest
from domain.catalog.listing import Listing
from tests.factories.domain import build_listing
from tests.fakes.catalog import InMemoryListingRepository


@pytest.fixture
def listings() -> InMemoryListingRepository:
    return InMemoryListingRepository()


@pytest.fixture
def list_listings(listings: InMemoryListingRepository) -> ListListings:
    return ListListings(listings=listings)


def titles(items: Iterable[Listing]) -> list[str]:
    return [listing.title for listing in items]


def test_only_published_listings_are_listed(
    listings: InMemoryListingRepository, list_listings: ListListings
) -> None:
    listings.add(build_listing(title="Alpha tour"))
    listings.add(build_listing(title="Beta tour", is_published=False))
    listings.add(build_listing(title="Gamma tour"))

    page = list_listings(ListListingsQuery())

    assert titles(page.items) == ["Alpha tour", "Gamma tour"]
    assert page.total == 2


def test_listings_come_by_title_then_id(
    listings: InMemoryListingRepository, list_listings: ListListings
) -> None:
    twin_ids = [UUID(int=2), UUID(int=1)]
    for listing in [
        build_listing(title="Gamma tour"),
        build_listing(id=twin_ids[0], title="Beta tour"),
        build_listing(title="Alpha tour"),
        build_listing(id=twin_ids[1], title="Beta tour"),
    ]:
        listings.add(listing)

    items = list_listings(ListListingsQuery()).items

    assert titles(items) == ["Alpha tour", "Beta tour", "Beta tour", "Gamma tour"]
    assert [items[1].id, items[2].id] == sorted(twin_ids, key=str)


def test_the_default_page_is_the_first_of_twenty(
    listings: InMemoryListingRepository, list_listings: ListListings
) -> None:
    for _ in range(25):
        listings.add(build_listing())

    page = list_listings(ListListingsQuery())

    assert page.request == PageRequest(1, 20)
    assert len(page.items) == 20
    assert page.total == 25
    assert page.has_next
    assert not page.has_previous


def test_pages_split_the_listings(
    listings: InMemoryListingRepository, list_listings: ListListings
) -> None:
    every: list[Listing] = [build_listing(title=f"Tour {n}") for n in range(5)]
    for listing in every:
        listings.add(listing)

    pages = [list_listings(ListListingsQuery(PageRequest(n, 2))) for n in (1, 2, 3, 4)]

    assert [titles(page.items) for page in pages] == [
        ["Tour 0", "Tour 1"],
        ["Tour 2", "Tour 3"],
        ["Tour 4"],
        [],
    ]
    assert [page.total for page in pages] == [5, 5, 5, 5]
    assert [page.has_next for page in pages] == [True, True, False, False]
    assert [page.has_previous for page in pages] == [False, True, True, True]


def test_an_empty_catalogue_is_an_empty_page(list_listings: ListListings) -> None:
    page = list_listings(ListListingsQuery())

    assert list(page.items) == []
    assert page.total == 0
    assert not page.has_next
