"""The catalogue as an outside client sees it: listings, their slots, and bad input."""

import re
import uuid
from datetime import UTC, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from tests.acceptance.conftest import Api

pytestmark = pytest.mark.acceptance

LISTINGS = "/api/v1/listings/"
PAGE_KEYS = {"count", "next", "previous", "results"}
LISTING_KEYS = {"id", "title", "description", "location", "currency", "cancellation_policy"}
SLOT_KEYS = {"id", "listing_id", "starts_at", "ends_at", "capacity", "seats_available", "price"}
# What `manage.py load_demo_data` puts in a fresh database. A server given by
# ACCEPTANCE_BASE_URL must hold that and nothing more.
DEMO_TITLES = {
    "Harbour walking tour",
    "Pastel de nata class",
    "Port wine tasting",
    "Thames sunset cruise",
    "Street-food night walk",
    "Brooklyn bridge photo walk",
    "Sushi making workshop",
    "Tea ceremony",
}


def json_of(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].split(";")[0] == "application/json"
    return response.json()


def problem_of(response: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem: the right status, content type and members."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["Content-Type"].split(";")[0] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert isinstance(problem["type"], str)
    assert problem["type"]
    assert isinstance(problem["title"], str)
    assert problem["title"]
    assert isinstance(problem["detail"], str)
    return problem


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


def aware(value: str) -> datetime:
    """An ISO 8601 time that carries its offset."""
    moment = datetime.fromisoformat(value)
    assert moment.tzinfo is not None, f"{value} has no UTC offset"
    return moment


def assert_listing(listing: dict[str, Any]) -> None:
    assert set(listing) >= LISTING_KEYS
    assert is_uuid(listing["id"])
    for key in ("title", "description", "location"):
        assert isinstance(listing[key], str)
    assert re.fullmatch(r"[A-Z]{3}", listing["currency"])
    for tier in listing["cancellation_policy"]:
        assert set(tier) >= {"hours_before", "refund_percent"}
        assert isinstance(tier["hours_before"], int)
        assert isinstance(tier["refund_percent"], int)
        assert 0 <= tier["refund_percent"] <= 100


def assert_slot(slot: dict[str, Any], listing_id: str) -> None:
    assert set(slot) >= SLOT_KEYS
    assert is_uuid(slot["id"])
    assert slot["listing_id"] == listing_id
    assert aware(slot["starts_at"]) < aware(slot["ends_at"])
    assert isinstance(slot["capacity"], int)
    assert isinstance(slot["seats_available"], int)
    assert 0 <= slot["seats_available"] <= slot["capacity"]
    assert set(slot["price"]) == {"amount", "currency"}
    assert isinstance(slot["price"]["amount"], str)  # a decimal string, never a float
    Decimal(slot["price"]["amount"])


def all_listings(api: Api) -> list[dict[str, Any]]:
    return json_of(api.get(LISTINGS, page_size=100))["results"]


def listing_titled(api: Api, title: str) -> dict[str, Any]:
    return next(listing for listing in all_listings(api) if listing["title"] == title)


def window(days_ahead: int, days: int) -> tuple[str, str]:
    """`from`/`to` covering whole UTC days, starting `days_ahead` days from today."""
    start = datetime.combine(datetime.now(UTC).date() + timedelta(days=days_ahead), time(), UTC)
    return start.isoformat(), (start + timedelta(days=days)).isoformat()


# ------------------------------------------------------------------ listings


def test_the_first_page_lists_the_eight_demo_listings(api: Api) -> None:
    page = json_of(api.get(LISTINGS))

    assert set(page) >= PAGE_KEYS
    assert page["count"] == len(page["results"]) == 8
    assert page["next"] is None
    assert page["previous"] is None
    for listing in page["results"]:
        assert_listing(listing)
    assert {listing["title"] for listing in page["results"]} == DEMO_TITLES


def test_next_links_walk_every_listing_once(api: Api) -> None:
    page = json_of(api.get(LISTINGS, page_size=3))
    sizes, seen = [len(page["results"])], [item["id"] for item in page["results"]]
    while page["next"] is not None:
        page = json_of(api.get(page["next"]))  # an absolute URL that keeps page_size
        assert page["previous"] is not None
        sizes.append(len(page["results"]))
        seen += [item["id"] for item in page["results"]]

    assert page["count"] == 8
    assert sizes == [3, 3, 2]
    assert len(set(seen)) == 8


def test_previous_links_lead_back(api: Api) -> None:
    first = json_of(api.get(LISTINGS, page_size=3))
    second = json_of(api.get(first["next"]))
    back = json_of(api.get(second["previous"]))

    assert back["results"] == first["results"]
    assert back["previous"] is None


def test_a_page_past_the_end_is_empty(api: Api) -> None:
    page = json_of(api.get(LISTINGS, page=99))

    assert page["results"] == []
    assert page["next"] is None


def test_one_listing_reads_as_it_is_listed(api: Api) -> None:
    listed = listing_titled(api, "Harbour walking tour")

    listing = json_of(api.get(f"{LISTINGS}{listed['id']}/"))

    assert_listing(listing)
    assert listing == listed
    assert listing["location"] == "Lisbon"
    assert listing["currency"] == "EUR"
    assert listing["cancellation_policy"] == [
        {"hours_before": 48, "refund_percent": 100},
        {"hours_before": 24, "refund_percent": 50},
    ]


# ------------------------------------------------------------------ slots


def test_slots_in_a_window(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")
    starts_from, starts_before = window(days_ahead=1, days=7)

    page = json_of(
        api.get(f"{LISTINGS}{listing['id']}/slots/", **{"from": starts_from, "to": starts_before})
    )

    assert set(page) >= PAGE_KEYS
    assert page["count"] == len(page["results"]) == 6  # one a day, closed one day a week
    starts = [aware(slot["starts_at"]) for slot in page["results"]]
    assert starts == sorted(starts)
    for slot in page["results"]:
        assert_slot(slot, listing["id"])
        assert datetime.fromisoformat(starts_from) <= aware(slot["starts_at"])
        assert aware(slot["starts_at"]) < datetime.fromisoformat(starts_before)
        assert aware(slot["ends_at"]) - aware(slot["starts_at"]) == timedelta(hours=2)
        assert slot["capacity"] == 12
        assert slot["price"] == {"amount": "25.00", "currency": "EUR"}


def test_the_window_accepts_any_utc_offset(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")
    path = f"{LISTINGS}{listing['id']}/slots/"
    starts_from, starts_before = window(days_ahead=2, days=7)
    plus_two = timezone(timedelta(hours=2))
    shifted = {
        "from": datetime.fromisoformat(starts_from).astimezone(plus_two).isoformat(),
        "to": datetime.fromisoformat(starts_before).astimezone(plus_two).isoformat(),
    }

    in_utc = json_of(api.get(path, **{"from": starts_from, "to": starts_before}))
    in_plus_two = json_of(api.get(path, **shifted))

    assert shifted["from"].endswith("+02:00")  # sent as %2B, not a space
    assert in_plus_two["results"] == in_utc["results"]


def test_slots_are_paginated_too(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")
    starts_from, starts_before = window(days_ahead=1, days=14)
    path = f"{LISTINGS}{listing['id']}/slots/"

    first = json_of(api.get(path, **{"from": starts_from, "to": starts_before, "page_size": 5}))
    second = json_of(api.get(first["next"]))

    assert first["count"] == second["count"] == 12
    assert len(first["results"]) == len(second["results"]) == 5
    assert aware(first["results"][-1]["starts_at"]) < aware(second["results"][0]["starts_at"])


def test_prices_keep_their_currency_minor_unit(api: Api) -> None:
    listing = listing_titled(api, "Sushi making workshop")
    starts_from, starts_before = window(days_ahead=1, days=7)

    page = json_of(
        api.get(f"{LISTINGS}{listing['id']}/slots/", **{"from": starts_from, "to": starts_before})
    )

    assert page["results"]
    for slot in page["results"]:
        assert_slot(slot, listing["id"])
        assert slot["price"] == {"amount": "8500", "currency": "JPY"}


def test_slots_never_reach_into_the_past(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")
    starts_from, starts_before = window(days_ahead=-10, days=12)

    page = json_of(
        api.get(f"{LISTINGS}{listing['id']}/slots/", **{"from": starts_from, "to": starts_before})
    )

    now = datetime.now(UTC)
    assert all(aware(slot["starts_at"]) >= now - timedelta(minutes=1) for slot in page["results"])


# ------------------------------------------------------------------ bad input


def test_a_garbled_time_is_a_400_naming_the_parameter(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")

    response = api.get(f"{LISTINGS}{listing['id']}/slots/", **{"from": "garbage"})

    problem = problem_of(response, 400)
    assert {"parameter": "from"}.items() <= problem["errors"][0].items()


def test_a_window_that_ends_before_it_starts_is_a_400(api: Api) -> None:
    listing = listing_titled(api, "Harbour walking tour")
    starts_from, starts_before = window(days_ahead=3, days=1)

    response = api.get(
        f"{LISTINGS}{listing['id']}/slots/", **{"from": starts_before, "to": starts_from}
    )

    problem = problem_of(response, 400)
    assert "to" in {error.get("parameter") for error in problem["errors"]}


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"page": "0"}, "page"), ({"page": "abc"}, "page"), ({"page_size": "100000"}, "page_size")],
)
def test_bad_paging_is_a_400(api: Api, params: dict[str, str], parameter: str) -> None:
    problem = problem_of(api.get(LISTINGS, **params), 400)

    assert parameter in {error.get("parameter") for error in problem["errors"]}


@pytest.mark.parametrize("suffix", ["", "slots/"])
def test_an_unknown_listing_is_a_404_problem(api: Api, suffix: str) -> None:
    problem_of(api.get(f"{LISTINGS}{uuid.uuid4()}/{suffix}"), 404)
