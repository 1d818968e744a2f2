"""The catalogue endpoints: published listings, pages, slot windows, bad input."""

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

LISTINGS = "/api/v1/listings/"


@pytest.fixture
def api():
    return APIClient()


def test_lists_published_listings_by_title(api, make_slot):
    make_slot(listing__title="Zebra walk")
    make_slot(listing__title="Alpaca hike")
    make_slot(listing__title="Hidden", listing__is_published=False)

    page = api.get(LISTINGS).json()

    assert page["count"] == 2
    assert [listing["title"] for listing in page["results"]] == ["Alpaca hike", "Zebra walk"]
    assert set(page["results"][0]) == {
        "id",
        "title",
        "description",
        "location",
        "currency",
        "cancellation_policy",
    }


def test_pages_link_to_each_other(api, make_slot):
    for title in "ABCDE":
        make_slot(listing__title=title)

    first = api.get(LISTINGS, {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    last = api.get(second["next"]).json()

    assert [len(page["results"]) for page in (first, second, last)] == [2, 2, 1]
    assert first["previous"] is None
    assert "page=" not in second["previous"]
    assert last["next"] is None
    assert api.get(LISTINGS, {"page": 9}).json()["results"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [({"page": 0}, "page"), ({"page": "x"}, "page"), ({"page_size": 101}, "page_size")],
)
def test_bad_paging_is_a_400_naming_the_parameter(api, query, parameter):
    response = api.get(LISTINGS, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-parameters"
    assert [error["parameter"] for error in body["errors"]] == [parameter]


def test_an_unpublished_or_unknown_listing_is_a_404(api, make_slot):
    hidden = make_slot(listing__is_published=False).listing

    for listing_id in (hidden.id, uuid4()):
        for suffix in ("", "slots/"):
            response = api.get(f"{LISTINGS}{listing_id}/{suffix}")
            assert response.status_code == 404
            assert response.json()["type"] == "/problems/not-found"


def test_slots_show_the_seats_left_and_the_price_in_minor_units(api, make_slot):
    slot = make_slot(listing__currency="JPY", price=Decimal(8500), seats_held=2, seats_booked=3)

    [shown] = api.get(f"{LISTINGS}{slot.listing_id}/slots/").json()["results"]

    assert shown["id"] == str(slot.id)
    assert shown["listing_id"] == str(slot.listing_id)
    assert shown["capacity"] == 10
    assert shown["seats_available"] == 5
    assert shown["price"] == {"amount": "8500", "currency": "JPY"}


def test_slots_in_a_window_never_in_the_past(api, make_slot):
    now = timezone.now()
    first = make_slot(starts_at=now + timedelta(days=1))
    listing = first.listing
    make_slot(listing=listing, starts_at=now - timedelta(hours=1))
    later = make_slot(listing=listing, starts_at=now + timedelta(days=3))
    make_slot(listing=listing, starts_at=now + timedelta(days=9))

    window = {
        "from": (now - timedelta(days=5)).isoformat(),
        "to": (now + timedelta(days=5)).isoformat(),
    }
    page = api.get(f"{LISTINGS}{listing.id}/slots/", window).json()

    assert [slot["id"] for slot in page["results"]] == [str(first.id), str(later.id)]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ({"from": "garbage"}, "from"),
        ({"from": "2030-01-02T00:00:00Z", "to": "2030-01-01T00:00:00Z"}, "to"),
    ],
)
def test_a_bad_window_is_a_400(api, slot, query, parameter):
    response = api.get(f"{LISTINGS}{slot.listing_id}/slots/", query)

    assert response.status_code == 400
    assert parameter in [error["parameter"] for error in response.json()["errors"]]
