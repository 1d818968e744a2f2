"""OpenAPI links: which answer leads to which next call, written into the schema in one
place (a drf-spectacular POSTPROCESSING_HOOKS entry). A client, or a stateful fuzzer,
can follow them from the catalogue to a hold and on to its checkout and cancellation,
and from a new subscription to reading, changing and deleting it, with the identifiers
the server gave instead of made-up ones.

Each link names its target by operationId and fills the target's path parameters (or,
for a hold, its body) from the answer (`$response.body#/...`) or from the request just
made (`$request.path...`): OpenAPI 3.0 runtime expressions."""

from typing import Any

from drf_spectacular.generators import SchemaGenerator

type Links = dict[str, dict[str, Any]]  # link name -> OpenAPI Link Object


def _to(operation_id: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def _booking_onwards(reference: str) -> Links:
    return {
        "ReadBooking": _to("bookings_retrieve", reference=reference),
        "CheckOut": _to("bookings_checkout", reference=reference),
        "Cancel": _to("bookings_cancel", reference=reference),
    }


def _subscription_onwards(subscription_id: str) -> Links:
    return {
        "ReadSubscription": _to("partner_subscriptions_retrieve", subscription_id=subscription_id),
        "ChangeSubscription": _to("partner_subscriptions_update", subscription_id=subscription_id),
        "DeleteSubscription": _to("partner_subscriptions_destroy", subscription_id=subscription_id),
        "RotateSecret": _to("partner_subscriptions_rotate_secret", subscription_id=subscription_id),
        "SendTest": _to("partner_subscriptions_test", subscription_id=subscription_id),
        "ListItsDeliveries": _to(
            "partner_subscription_deliveries_list", subscription_id=subscription_id
        ),
    }


def _redeliver(delivery_id: str) -> Links:
    return {"Redeliver": _to("partner_deliveries_redeliver", delivery_id=delivery_id)}


FIRST = "$response.body#/results/0"  # the first item of a page

# (source operationId, status) -> the links from that answer.
LINKS: dict[tuple[str, str], Links] = {
    ("listings_list", "200"): {
        "ReadListing": _to("listings_retrieve", listing_id=f"{FIRST}/id"),
        "ListSlots": _to("listings_slots_list", listing_id=f"{FIRST}/id"),
    },
    ("listings_retrieve", "200"): {
        "ListSlots": _to("listings_slots_list", listing_id="$response.body#/id"),
    },
    # One seat in the first slot on the page: slot ids are known only to the server.
    ("listings_slots_list", "200"): {
        "HoldFirstSlot": {
            "operationId": "bookings_hold",
            "requestBody": {"lines": [{"slot_id": f"{FIRST}/id", "seats": 1}]},
            # The body is this one, as OpenAPI means it; Schemathesis would otherwise
            # merge it into a generated one (and its made-up slots).
            "x-schemathesis": {"merge_body": False},
        },
    },
    ("bookings_list", "200"): {
        "ReadBooking": _to("bookings_retrieve", reference=f"{FIRST}/reference")
    },
    ("bookings_hold", "201"): _booking_onwards("$response.body#/reference"),
    ("bookings_retrieve", "200"): _booking_onwards("$response.body#/reference"),
    # Paying started: the booking can still be read, and cancelled.
    ("bookings_checkout", "200"): {
        "ReadBooking": _to("bookings_retrieve", reference="$request.path.reference"),
        "Cancel": _to("bookings_cancel", reference="$request.path.reference"),
    },
    ("partner_subscriptions_list", "200"): _subscription_onwards(f"{FIRST}/id"),
    ("partner_subscriptions_create", "201"): _subscription_onwards("$response.body#/id"),
    ("partner_subscriptions_retrieve", "200"): _subscription_onwards("$response.body#/id"),
    ("partner_subscriptions_update", "200"): _subscription_onwards("$response.body#/id"),
    # Deleted: reading it again is a 404.
    ("partner_subscriptions_destroy", "204"): {
        "ReadSubscription": _to(
            "partner_subscriptions_retrieve", subscription_id="$request.path.subscription_id"
        ),
    },
    ("partner_deliveries_list", "200"): _redeliver(f"{FIRST}/id"),
    ("partner_subscription_deliveries_list", "200"): _redeliver(f"{FIRST}/id"),
}


def operation_links(
    result: dict[str, Any], generator: SchemaGenerator, request: Any, public: bool
) -> dict[str, Any]:
    operations = {
        operation["operationId"]: operation
        for item in result["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    for (source, status), links in LINKS.items():
        if source in operations:  # a schema of some endpoints only has fewer
            operations[source]["responses"][status]["links"] = links
    return result
