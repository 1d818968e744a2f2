"""Customers hold seats, read and cancel their bookings; unpaid holds expire."""

import time
import uuid
from typing import Any

import pytest

from tests.acceptance.conftest import Api, Server

pytestmark = pytest.mark.acceptance


def first_slot(api: Api, seats_needed: int = 1, skip: int = 0) -> dict[str, Any]:
    listing = api.get("/api/v1/listings/").json()["results"][0]
    slots = api.get(f"/api/v1/listings/{listing['id']}/slots/").json()["results"]
    candidates = [slot for slot in slots if slot["seats_available"] >= seats_needed]
    return candidates[skip]


def hold(api: Api, slot_id: str, seats: int, **headers: str) -> Any:
    return api.post("/api/v1/bookings/", {"lines": [{"slot_id": slot_id, "seats": seats}]}, headers)


def take_seats(api: Api, slot_id: str, seats: int) -> None:
    """Hold `seats` seats of a slot, in bookings of ten seats at most."""
    while seats > 0:
        held = hold(api, slot_id, min(seats, 10))
        assert held.status_code == 201, held.text
        seats -= min(seats, 10)


def test_a_customer_holds_reads_lists_and_cancels_a_booking(api: Api) -> None:
    api.register()
    slot = first_slot(api, seats_needed=2)

    held = hold(api, slot["id"], 2)
    assert held.status_code == 201, held.text
    booking = held.json()
    assert booking["status"] == "held"
    assert booking["reference"].startswith("PS-")
    assert booking["lines"] == [{"slot_id": slot["id"], "seats": 2, "unit_price": slot["price"]}]
    assert booking["total"]["currency"] == slot["price"]["currency"]
    seats_left = api.get(f"/api/v1/listings/{slot['listing_id']}/slots/").json()["results"]
    assert (
        next(s for s in seats_left if s["id"] == slot["id"])["seats_available"]
        == slot["seats_available"] - 2
    )

    read = api.get(f"/api/v1/bookings/{booking['reference']}/")
    assert read.status_code == 200
    assert read.json() == booking
    listed = api.get("/api/v1/bookings/").json()
    assert [b["reference"] for b in listed["results"]] == [booking["reference"]]

    cancelled = api.post(f"/api/v1/bookings/{booking['reference']}/cancel/")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert "refund" not in cancelled.json()  # nothing was paid
    again = api.post(f"/api/v1/bookings/{booking['reference']}/cancel/")
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"


def test_a_retried_hold_with_the_same_idempotency_key_books_once(api: Api) -> None:
    api.register()
    slot = first_slot(api)
    key = str(uuid.uuid4())
    first = hold(api, slot["id"], 1, **{"Idempotency-Key": key})
    second = hold(api, slot["id"], 1, **{"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.content == second.content
    assert api.get("/api/v1/bookings/").json()["count"] == 1
    different = hold(api, slot["id"], 2, **{"Idempotency-Key": key})
    assert different.status_code == 422


def test_customers_see_only_their_own_bookings(api: Api, live_server_url: str) -> None:
    api.register()
    reference = hold(api, first_slot(api)["id"], 1).json()["reference"]
    stranger = Api(live_server_url)
    stranger.register()
    assert stranger.get(f"/api/v1/bookings/{reference}/").status_code == 404
    assert stranger.post(f"/api/v1/bookings/{reference}/cancel/").status_code == 404
    assert stranger.get("/api/v1/bookings/").json()["count"] == 0


def test_bad_holds_are_refused_with_problem_details(api: Api, live_server_url: str) -> None:
    assert Api(live_server_url).post("/api/v1/bookings/", {"lines": []}).status_code == 401
    api.register()
    slot = first_slot(api)
    too_many = hold(api, slot["id"], slot["seats_available"] + 1)
    assert too_many.status_code in {409, 422}  # over capacity (409) or over 10 a line (422)
    unknown = hold(api, str(uuid.uuid4()), 1)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [
        {"pointer": "#/lines/0/slot_id", "detail": "No bookable slot has this id."}
    ]
    malformed = api.post("/api/v1/bookings/", {"lines": "two seats please"})
    assert malformed.status_code == 400
    for response in (too_many, unknown, malformed):
        assert response.headers["Content-Type"] == "application/problem+json"
        assert {"type", "title", "status", "detail"} <= response.json().keys()


def test_the_last_seats_go_once_then_409(api: Api) -> None:
    api.register()
    slot = first_slot(api, seats_needed=1, skip=5)
    remaining = slot["seats_available"]
    while remaining > 0:
        taken = min(remaining, 10)
        assert hold(api, slot["id"], taken).status_code == 201
        remaining -= taken
    refused = hold(api, slot["id"], 1)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/not-enough-seats")


def test_an_unpaid_hold_expires_and_its_seats_return(short_hold_server: Server) -> None:
    api = Api(short_hold_server.url)
    api.register()
    slot = first_slot(api, seats_needed=3)
    booking = hold(api, slot["id"], 3).json()
    time.sleep(3.5)  # HOLD_MINUTES=0.05 on this server

    short_hold_server.manage("expire_holds")
    short_hold_server.manage("expire_holds")  # a second run changes nothing

    assert api.get(f"/api/v1/bookings/{booking['reference']}/").json()["status"] == "expired"
    slots = api.get(f"/api/v1/listings/{slot['listing_id']}/slots/").json()["results"]
    assert (
        next(s for s in slots if s["id"] == slot["id"])["seats_available"]
        == slot["seats_available"]
    )


def test_a_refused_hold_points_at_the_seats_of_the_line_at_fault(api: Api) -> None:
    api.register()
    slot, other = first_slot(api, seats_needed=3, skip=6), first_slot(api, skip=7)

    over_the_maximum = api.post(
        "/api/v1/bookings/",
        {"lines": [{"slot_id": slot["id"], "seats": 1}, {"slot_id": other["id"], "seats": 11}]},
    )

    assert over_the_maximum.status_code == 422
    assert over_the_maximum.headers["Content-Type"] == "application/problem+json"
    problem = over_the_maximum.json()
    assert (problem["type"], problem["status"]) == ("/problems/invalid-request", 422)
    assert [error["pointer"] for error in problem["errors"]] == ["#/lines/1/seats"]

    take_seats(api, slot["id"], slot["seats_available"] - 2)
    over_what_is_left = hold(api, slot["id"], 3)

    assert over_what_is_left.status_code == 409
    assert over_what_is_left.headers["Content-Type"] == "application/problem+json"
    problem = over_what_is_left.json()
    assert (problem["type"], problem["status"]) == ("/problems/not-enough-seats", 409)
    assert "errors" not in problem  # the seats are gone, not wrongly asked for
