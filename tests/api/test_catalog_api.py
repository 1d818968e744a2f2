"""The catalogue's REST endpoints, through the whole stack down to the database."""

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

import pytest
from dependency_injector import providers
from django.conf import settings as django_settings
from pytest_django import DjangoAssertNumQueries, Settings
from rest_framework.test import APIClient

from adapters.catalog import models
from config.container import container
from domain.shared.money import Money
from tests.api.problems import assert_problem
from tests.factories.domain import FUTURE, build_listing
from tests.factories.orm import ListingRowFactory, SlotRowFactory
from tests.fakes.catalog import InMemoryListingRepository
from tests.fakes.clock import FixedClock

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/listings/"
PROBLEM_JSON = "application/problem+json"
HOUR = timedelta(hours=1)
MAX_PAGE_SIZE = django_settings.API_MAX_PAGE_SIZE


def detail_url(listing: models.Listing) -> str:
    return f"{LISTINGS}{listing.id}/"


def slots_url(listing: models.Listing) -> str:
    return f"{LISTINGS}{listing.id}/slots/"


def iso(moment: datetime) -> str:
    """How the API writes a time: ISO 8601 in UTC, with a Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def listing_json(row: models.Listing) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "title": row.title,
        "description": row.description,
        "location": row.location,
        "currency": row.currency,
        "cancellation_policy": row.cancellation_policy,
    }


def slot_json(row: models.Slot) -> dict[str, Any]:
    currency = row.listing.currency
    return {
        "id": str(row.id),
        "listing_id": str(row.listing_id),
        "starts_at": iso(row.starts_at),
        "ends_at": iso(row.ends_at),
        "capacity": row.capacity,
        "seats_available": row.capacity - row.seats_held - row.seats_booked,
        "price": {"amount": str(Money(row.price_amount, currency).amount), "currency": currency},
    }


def query_of(url: str | None) -> dict[str, list[str]]:
    assert url is not None
    return parse_qs(urlsplit(url).query)


def assert_bad_parameters(response: Any, *parameters: str) -> None:
    body = assert_problem(response, 400, "invalid-parameters")
    assert body["title"] == "Invalid query parameters"
    assert {error["parameter"] for error in body["errors"]} == set(parameters)
    assert all(error["detail"] for error in body["errors"])


@pytest.fixture
def listing() -> models.Listing:
    return ListingRowFactory(title="Alpha tour", currency="EUR")


# ---------------------------------------------------------------- GET /listings/


def test_list_listings(api: APIClient) -> None:
    harbour = ListingRowFactory(
        title="Harbour walking tour",
        description="Lisbon from the water's edge.",
        location="Lisbon",
        currency="EUR",
        cancellation_policy=[
            {"hours_before": 48, "refund_percent": 100},
            {"hours_before": 24, "refund_percent": 50},
        ],
    )
    sushi = ListingRowFactory(
        title="Sushi making workshop", location="Tokyo", currency="JPY", cancellation_policy=[]
    )
    ListingRowFactory(title="Hidden tour", is_published=False)

    response = api.get(LISTINGS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(harbour.id),
                "title": "Harbour walking tour",
                "description": "Lisbon from the water's edge.",
                "location": "Lisbon",
                "currency": "EUR",
                "cancellation_policy": [
                    {"hours_before": 48, "refund_percent": 100},
                    {"hours_before": 24, "refund_percent": 50},
                ],
            },
            listing_json(sushi),
        ],
    }


def test_list_listings_by_title(api: APIClient) -> None:
    for title in ("Gamma tour", "Alpha tour", "Beta tour"):
        ListingRowFactory(title=title)

    results = api.get(LISTINGS).json()["results"]

    assert [item["title"] for item in results] == ["Alpha tour", "Beta tour", "Gamma tour"]


def test_list_listings_in_pages(api: APIClient) -> None:
    for title in ("Alpha tour", "Beta tour", "Gamma tour"):
        ListingRowFactory(title=title)

    first = api.get(LISTINGS, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [item["title"] for item in first["results"]] == ["Alpha tour", "Beta tour"]
    assert (first["count"], first["previous"]) == (3, None)
    assert urlsplit(first["next"]).path == LISTINGS
    assert query_of(first["next"]) == {"page": ["2"], "page_size": ["2"]}
    assert [item["title"] for item in second["results"]] == ["Gamma tour"]
    assert (second["count"], second["next"]) == (3, None)
    assert query_of(second["previous"]) == {"page_size": ["2"]}  # page 1 has no ?page=


def test_list_listings_previous_of_a_later_page(api: APIClient) -> None:
    for _ in range(5):
        ListingRowFactory()

    body = api.get(LISTINGS, {"page": 3, "page_size": 2}).json()

    assert query_of(body["previous"]) == {"page": ["2"], "page_size": ["2"]}
    assert body["next"] is None


def test_list_listings_default_page_size_is_a_setting(api: APIClient, settings: Settings) -> None:
    settings.API_PAGE_SIZE = 2
    for _ in range(3):
        ListingRowFactory()

    body = api.get(LISTINGS).json()

    assert (len(body["results"]), body["count"]) == (2, 3)
    assert query_of(body["next"]) == {"page": ["2"]}


def test_list_listings_up_to_the_largest_page(api: APIClient) -> None:
    ListingRowFactory()

    response = api.get(LISTINGS, {"page_size": MAX_PAGE_SIZE})

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"page_size": MAX_PAGE_SIZE + 1}, "page_size"),
    ],
)
def test_list_listings_refuses_bad_paging(
    api: APIClient, params: dict[str, object], parameter: str
) -> None:
    assert_bad_parameters(api.get(LISTINGS, params), parameter)


def test_page_size_limit_is_a_setting(api: APIClient, settings: Settings) -> None:
    settings.API_MAX_PAGE_SIZE = 5

    assert api.get(LISTINGS, {"page_size": 5}).status_code == 200
    body = assert_problem(api.get(LISTINGS, {"page_size": 6}), 400, "invalid-parameters")
    assert body["errors"] == [{"parameter": "page_size", "detail": "At most 5."}]


# ---------------------------------------------------------------- GET /listings/{id}/


def test_get_listing(api: APIClient) -> None:
    row = ListingRowFactory(
        title="Tea ceremony",
        description="Matcha, slowly.",
        location="Kyoto",
        currency="JPY",
        cancellation_policy=[{"hours_before": 72, "refund_percent": 50}],
    )

    response = api.get(detail_url(row))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "id": str(row.id),
        "title": "Tea ceremony",
        "description": "Matcha, slowly.",
        "location": "Kyoto",
        "currency": "JPY",
        "cancellation_policy": [{"hours_before": 72, "refund_percent": 50}],
    }


def test_get_an_unpublished_listing_is_not_found(api: APIClient) -> None:
    hidden = ListingRowFactory(is_published=False)

    body = assert_problem(api.get(detail_url(hidden)), 404, "not-found")

    assert str(hidden.id) in body["detail"]


def test_get_a_missing_listing_is_not_found(api: APIClient) -> None:
    assert_problem(api.get(f"{LISTINGS}{uuid4()}/"), 404, "not-found")


def test_a_listing_id_that_is_no_uuid_is_not_found(api: APIClient) -> None:
    assert_problem(api.get(f"{LISTINGS}42/"), 404, "not-found")


# ---------------------------------------------------------------- GET /listings/{id}/slots/


def test_list_slots(api: APIClient) -> None:
    starts_at = FUTURE + timedelta(days=1)
    tea = ListingRowFactory(title="Tea ceremony", currency="JPY")
    slot = SlotRowFactory(
        listing=tea,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        capacity=8,
        price_amount=Decimal("5000"),
        seats_held=1,
        seats_booked=2,
    )

    response = api.get(slots_url(tea))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": str(slot.id),
                "listing_id": str(tea.id),
                "starts_at": iso(starts_at),
                "ends_at": iso(starts_at + timedelta(minutes=90)),
                "capacity": 8,
                "seats_available": 5,
                "price": {"amount": "5000", "currency": "JPY"},  # yen have no minor unit
            }
        ],
    }


def test_slot_prices_are_decimal_strings(api: APIClient, listing: models.Listing) -> None:
    SlotRowFactory(listing=listing, price_amount=Decimal("38.50"))

    (slot,) = api.get(slots_url(listing)).json()["results"]

    assert slot["price"] == {"amount": "38.50", "currency": "EUR"}


def test_list_slots_earliest_first_and_only_upcoming(
    api: APIClient, listing: models.Listing
) -> None:
    now = datetime.now(UTC)
    SlotRowFactory(listing=listing, starts_at=now - timedelta(days=1))
    SlotRowFactory(listing=listing, starts_at=now - HOUR, ends_at=now + HOUR)  # under way
    later = SlotRowFactory(listing=listing, starts_at=FUTURE + 5 * HOUR)
    sooner = SlotRowFactory(listing=listing, starts_at=FUTURE + HOUR)
    SlotRowFactory(starts_at=FUTURE)  # another listing's

    body = api.get(slots_url(listing)).json()

    assert body["results"] == [slot_json(sooner), slot_json(later)]
    assert body["count"] == 2


def test_list_slots_in_a_window(api: APIClient, listing: models.Listing) -> None:
    rows = [SlotRowFactory(listing=listing, starts_at=FUTURE + n * HOUR) for n in range(5)]

    body = api.get(
        slots_url(listing), {"from": iso(FUTURE + HOUR), "to": iso(FUTURE + 3 * HOUR)}
    ).json()

    assert [item["id"] for item in body["results"]] == [str(rows[1].id), str(rows[2].id)]
    assert body["count"] == 2


@pytest.mark.parametrize("hours_east", [9, -4, 0])
def test_list_slots_window_takes_any_offset(
    api: APIClient, listing: models.Listing, hours_east: int
) -> None:
    rows = [SlotRowFactory(listing=listing, starts_at=FUTURE + n * HOUR) for n in range(3)]
    local = timezone(timedelta(hours=hours_east))

    body = api.get(slots_url(listing), {"from": (FUTURE + HOUR).astimezone(local).isoformat()})

    assert [item["id"] for item in body.json()["results"]] == [str(rows[1].id), str(rows[2].id)]


def test_list_slots_in_pages_keeps_the_window(api: APIClient, listing: models.Listing) -> None:
    for n in range(4):
        SlotRowFactory(listing=listing, starts_at=FUTURE + n * HOUR)
    start = iso(FUTURE + HOUR)

    body = api.get(slots_url(listing), {"from": start, "page_size": 2}).json()

    assert (len(body["results"]), body["count"]) == (2, 3)
    assert query_of(body["next"]) == {"from": [start], "page": ["2"], "page_size": ["2"]}


@pytest.mark.parametrize(
    ("params", "parameters"),
    [
        ({"from": "tomorrow"}, {"from"}),
        ({"to": "2030-13-01T00:00:00Z"}, {"to"}),
        ({"from": "soon", "to": "later"}, {"from", "to"}),
        ({"from": "2030-06-02T10:00:00Z", "to": "2030-06-01T10:00:00Z"}, {"to"}),
        ({"from": "2030-06-01T10:00:00Z", "to": "2030-06-01T10:00:00Z"}, {"to"}),
        ({"from": "2030-06-01T12:00:00+02:00", "to": "2030-06-01T10:00:00Z"}, {"to"}),
        ({"page": 0}, {"page"}),
        ({"page_size": MAX_PAGE_SIZE + 1}, {"page_size"}),
    ],
    ids=[
        "from-malformed",
        "to-malformed",
        "both-malformed",
        "to-before-from",
        "to-equals-from",
        "to-equals-from-other-offset",
        "page-zero",
        "page-size-too-big",
    ],
)
def test_list_slots_refuses_bad_parameters(
    api: APIClient, listing: models.Listing, params: dict[str, object], parameters: set[str]
) -> None:
    assert_bad_parameters(api.get(slots_url(listing), params), *parameters)


def test_to_before_from_says_why(api: APIClient, listing: models.Listing) -> None:
    response = api.get(
        slots_url(listing), {"from": "2030-06-02T10:00:00Z", "to": "2030-06-01T10:00:00Z"}
    )

    body = assert_problem(response, 400, "invalid-parameters")
    assert body["errors"] == [{"parameter": "to", "detail": "Must be after 'from'."}]
    assert body["detail"] == "Must be after 'from'."


def test_slots_of_an_unpublished_listing_are_not_found(api: APIClient) -> None:
    hidden = ListingRowFactory(is_published=False)
    SlotRowFactory(listing=hidden)

    assert_problem(api.get(slots_url(hidden)), 404, "not-found")


def test_slots_of_a_missing_listing_are_not_found(api: APIClient) -> None:
    assert_problem(api.get(f"{LISTINGS}{uuid4()}/slots/"), 404, "not-found")


# ---------------------------------------------------------------- anything else


@pytest.mark.parametrize("path", ["/nowhere/", "/api/v1/listing/", "/api/v2/listings/"])
def test_unknown_urls_are_problem_json(api: APIClient, path: str) -> None:
    body = assert_problem(api.get(path), 404, "not-found")

    assert body == {
        "type": "/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": f"Nothing at {path}.",
    }


def test_schema_describes_the_catalogue(api: APIClient) -> None:
    response = api.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    slots = paths["/api/v1/listings/{listing_id}/slots/"]["get"]
    assert "get" in paths["/api/v1/listings/"]
    assert "get" in paths["/api/v1/listings/{listing_id}/"]
    assert {"page", "page_size", "from", "to"} <= {p["name"] for p in slots["parameters"]}


def test_schema_in_yaml(api: APIClient) -> None:
    response = api.get("/api/schema/")

    assert response.status_code == 200
    assert b"/api/v1/listings/{listing_id}/slots/:" in response.content


def test_api_docs(api: APIClient) -> None:
    response = api.get("/api/docs/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_health(api: APIClient) -> None:
    response = api.get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


# ---------------------------------------------------------------- query budgets


@pytest.mark.parametrize("listings", [1, 50])
def test_list_listings_costs_two_queries(
    api: APIClient, django_assert_num_queries: DjangoAssertNumQueries, listings: int
) -> None:
    """A count and a page, however many listings the page holds."""
    ListingRowFactory.create_batch(listings)

    with django_assert_num_queries(2):
        response = api.get(LISTINGS, {"page_size": 50})

    assert len(response.json()["results"]) == listings


def test_get_listing_costs_one_query(
    api: APIClient, django_assert_num_queries: DjangoAssertNumQueries, listing: models.Listing
) -> None:
    with django_assert_num_queries(1):
        response = api.get(detail_url(listing))

    assert response.status_code == 200


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_slots_costs_three_queries(
    api: APIClient,
    django_assert_num_queries: DjangoAssertNumQueries,
    listing: models.Listing,
    page_size: int,
) -> None:
    """The listing, a count and a page, whatever the page size."""
    SlotRowFactory.create_batch(50, listing=listing)

    with django_assert_num_queries(3):
        response = api.get(slots_url(listing), {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


# ---------------------------------------------------------------- the container decides


def test_the_container_swaps_the_listing_repository(
    api: APIClient, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    ListingRowFactory(title="Alpha tour")  # in the database, so not in the answer
    fake = build_listing(title="Fake tour")

    with (
        container.listing_repository.override(providers.Object(InMemoryListingRepository([fake]))),
        django_assert_num_queries(0),
    ):
        response = api.get(LISTINGS)

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [str(fake.id)]
    assert api.get(LISTINGS).json()["results"][0]["title"] == "Alpha tour"  # override undone


def test_the_container_swaps_the_clock(api: APIClient, listing: models.Listing) -> None:
    first = SlotRowFactory(listing=listing, starts_at=FUTURE + HOUR)
    second = SlotRowFactory(listing=listing, starts_at=FUTURE + 3 * HOUR)
    after_first_started = FixedClock(FUTURE + 2 * HOUR)

    with container.clock.override(providers.Object(after_first_started)):
        ids = [item["id"] for item in api.get(slots_url(listing)).json()["results"]]

    assert ids == [str(second.id)]
    assert str(first.id) in [item["id"] for item in api.get(slots_url(listing)).json()["results"]]
