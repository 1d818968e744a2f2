"""OpenAPI links: which answer feeds which next request, so a client (and a stateful
fuzzer) can follow a booking from a listing's slot through its hold, checkout and
cancellation, and a subscription from its creation to its deletion. drf-spectacular
cannot declare links on a view, so this POSTPROCESSING_HOOKS entry adds them, naming
each operation by path and method and writing in its operationId."""

from dataclasses import dataclass, field
from typing import Any

LISTINGS = "/api/v1/listings/"
LISTING = "/api/v1/listings/{listing_id}/"
SLOTS = "/api/v1/listings/{listing_id}/slots/"
BOOKINGS = "/api/v1/bookings/"
BOOKING = "/api/v1/bookings/{reference}/"
CHECKOUT = "/api/v1/bookings/{reference}/checkout/"
CANCEL = "/api/v1/bookings/{reference}/cancel/"
SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"
SUBSCRIPTION = "/api/v1/partners/subscriptions/{subscription_id}/"
SUBSCRIPTION_DELIVERIES = "/api/v1/partners/subscriptions/{subscription_id}/deliveries/"
ROTATION = "/api/v1/partners/subscriptions/{subscription_id}/rotate-secret/"
TEST_EVENT = "/api/v1/partners/subscriptions/{subscription_id}/test/"
DELIVERIES = "/api/v1/partners/deliveries/"
REDELIVER = "/api/v1/partners/deliveries/{delivery_id}/redeliver/"


@dataclass(frozen=True)
class Link:
    """A link to the operation at `path` and `method`, its parameters (or its whole body)
    taken from the answer or the request by OpenAPI runtime expressions."""

    path: str
    method: str
    parameters: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None

    def as_openapi(self, operation_id: str) -> dict[str, Any]:
        link: dict[str, Any] = {"operationId": operation_id}
        if self.parameters:
            link["parameters"] = self.parameters
        if self.body is not None:
            link["requestBody"] = self.body
            # The body is this one, as OpenAPI means it; Schemathesis would otherwise
            # merge it into a generated one (and its made-up slots).
            link["x-schemathesis"] = {"merge_body": False}
        return link


def booking_links(reference: str) -> dict[str, Link]:
    return {
        "GetBooking": Link(BOOKING, "get", {"reference": reference}),
        "CheckoutBooking": Link(CHECKOUT, "post", {"reference": reference}),
        "CancelBooking": Link(CANCEL, "post", {"reference": reference}),
    }


def subscription_links(subscription_id: str) -> dict[str, Link]:
    return {
        name: Link(path, method, {"subscription_id": subscription_id})
        for name, path, method in [
            ("GetSubscription", SUBSCRIPTION, "get"),
            ("UpdateSubscription", SUBSCRIPTION, "patch"),
            ("DeleteSubscription", SUBSCRIPTION, "delete"),
            ("ListSubscriptionDeliveries", SUBSCRIPTION_DELIVERIES, "get"),
            ("RotateSubscriptionSecret", ROTATION, "post"),
            ("SendTestEvent", TEST_EVENT, "post"),
        ]
    }


FIRST = "$response.body#/results/0"  # the first item of a page
BOOKING_REFERENCE = "$response.body#/reference"
SUBSCRIPTION_ID = "$response.body#/id"


def redeliver(delivery_id: str) -> dict[str, Link]:
    return {"Redeliver": Link(REDELIVER, "post", {"delivery_id": delivery_id})}


# (source path, method, status) -> the links of that answer.
LINKS: dict[tuple[str, str, str], dict[str, Link]] = {
    (LISTINGS, "get", "200"): {
        "GetListing": Link(LISTING, "get", {"listing_id": f"{FIRST}/id"}),
        "ListSlots": Link(SLOTS, "get", {"listing_id": f"{FIRST}/id"}),
    },
    (LISTING, "get", "200"): {
        "ListSlots": Link(SLOTS, "get", {"listing_id": "$response.body#/id"}),
    },
    # One seat in the first slot on the page: slot ids are known only to the server.
    (SLOTS, "get", "200"): {
        "HoldSeats": Link(
            BOOKINGS, "post", body={"lines": [{"slot_id": f"{FIRST}/id", "seats": 1}]}
        ),
    },
    (BOOKINGS, "get", "200"): {
        "GetBooking": Link(BOOKING, "get", {"reference": f"{FIRST}/reference"}),
    },
    (BOOKINGS, "post", "201"): booking_links(BOOKING_REFERENCE),
    (BOOKING, "get", "200"): booking_links(BOOKING_REFERENCE),
    (CHECKOUT, "post", "200"): booking_links("$request.path.reference"),
    (CANCEL, "post", "200"): {"GetBooking": booking_links(BOOKING_REFERENCE)["GetBooking"]},
    (SUBSCRIPTIONS, "get", "200"): subscription_links(f"{FIRST}/id"),
    (SUBSCRIPTIONS, "post", "201"): subscription_links(SUBSCRIPTION_ID),
    (SUBSCRIPTION, "get", "200"): subscription_links(SUBSCRIPTION_ID),
    (SUBSCRIPTION, "patch", "200"): subscription_links(SUBSCRIPTION_ID),
    (ROTATION, "post", "200"): subscription_links(SUBSCRIPTION_ID),
    # Deleted: reading it again is a 404.
    (SUBSCRIPTION, "delete", "204"): {
        "GetSubscription": Link(
            SUBSCRIPTION, "get", {"subscription_id": "$request.path.subscription_id"}
        ),
    },
    (TEST_EVENT, "post", "202"): {
        **redeliver("$response.body#/id"),
        "ListSubscriptionDeliveries": Link(
            SUBSCRIPTION_DELIVERIES, "get", {"subscription_id": "$request.path.subscription_id"}
        ),
    },
    (DELIVERIES, "get", "200"): redeliver(f"{FIRST}/id"),
    (SUBSCRIPTION_DELIVERIES, "get", "200"): redeliver(f"{FIRST}/id"),
}


def operation_links(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    paths = result["paths"]
    for (path, method, status), links in LINKS.items():
        response = paths[path][method]["responses"][status]
        response["links"] = {
            name: link.as_openapi(paths[link.path][link.method]["operationId"])
            for name, link in links.items()
        }
    return result
