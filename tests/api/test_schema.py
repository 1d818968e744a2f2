"""The OpenAPI schema is valid, builds without a single warning, and says what the
server serves: problems for errors, every status an operation can answer, the limits
the server enforces; and nothing under /api/ answers an HTML page."""

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from adapters.api.links import LINKS
from adapters.partners.formatters import FORMATTERS
from domain.booking.reference import PATTERN
from domain.partners.events import EVENT_TYPE_NAMES
from domain.partners.payload_options import ENVELOPE_KEYS, PAYLOAD_FIELDS


def test_the_schema_validates_without_warnings(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in (
        "/api/v1/bookings/{reference}/checkout/",
        "/api/v1/partners/subscriptions/",
        "/webhooks/payments/{provider}/",
    ):
        assert path in text


# ---------------------------------------------------------------- what the schema says


def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document()["paths"].items()
        for method, operation in item.items()
    ]


def test_every_error_is_documented_as_a_problem() -> None:
    for method, path, operation in operations():
        for status, response in operation["responses"].items():
            # A request line over gunicorn's limit never reaches the API: its 414 is HTML.
            expected = ["text/html"] if status == "414" else ["application/problem+json"]
            if int(status) >= 400:
                assert list(response["content"]) == expected, (method, path, status)


def test_each_operation_lists_what_its_views_classes_answer() -> None:
    statuses = {(method, path): set(op["responses"]) for method, path, op in operations()}

    assert {"401", "403", "404", "429", "503"} <= statuses["get", SUBSCRIPTION]
    assert {"400", "401", "413", "415", "422", "429"} <= statuses["post", "/api/v1/bookings/"]
    assert "401" not in statuses["post", "/api/v1/auth/token/"]  # it takes no credentials
    assert "403" not in statuses["get", "/api/v1/listings/"]  # anyone may read it
    assert "429" not in statuses["post", "/webhooks/payments/{provider}/"]  # never throttled


def test_the_limits_the_server_enforces_are_in_the_schema(settings: Any) -> None:
    settings.API_MAX_PAGE_SIZE = 50
    slots = document()["paths"]["/api/v1/listings/{listing_id}/slots/"]["get"]
    parameters = {parameter["name"]: parameter["schema"] for parameter in slots["parameters"]}
    hold = document()["paths"]["/api/v1/bookings/"]["post"]
    key = next(p for p in hold["parameters"] if p["name"] == "Idempotency-Key")["schema"]
    line = document()["components"]["schemas"]["HoldLineRequest"]["properties"]

    assert parameters["page_size"]["maximum"] == 50
    assert parameters["from"]["format"] == parameters["to"]["format"] == "date-time"
    assert key["maxLength"] == 255
    assert (line["seats"]["minimum"], line["seats"]["maximum"]) == (1, 10)
    schemas = document()["components"]["schemas"]
    subscription = schemas["SubscriptionInputRequest"]["properties"]
    assert enum_of(subscription["format"], schemas) == sorted(FORMATTERS)
    assert enum_of(subscription["event_types"]["items"], schemas) == sorted(EVENT_TYPE_NAMES)


def test_what_a_reference_and_payload_options_may_be_is_in_the_schema() -> None:
    paths = document()["paths"]
    reference = paths["/api/v1/bookings/{reference}/"]["get"]["parameters"][0]["schema"]
    schemas = document()["components"]["schemas"]
    options = schemas["PayloadOptionsRequest"]["properties"]
    url = schemas["SubscriptionInputRequest"]["properties"]["url"]

    assert reference["pattern"] == PATTERN.pattern
    assert enum_of(options["fields"]["items"], schemas) == list(PAYLOAD_FIELDS)
    assert set(options["rename"]["properties"]) == ENVELOPE_KEYS
    assert options["rename"]["additionalProperties"] is False
    assert url["pattern"] == "^[Hh][Tt][Tt][Pp][Ss]?://"  # never blank once trimmed


def test_the_links_lead_from_a_hold_and_a_new_subscription_to_what_follows() -> None:
    by_id = {operation["operationId"]: (path, operation) for _, path, operation in operations()}
    hold = by_id["bookings_hold"][1]["responses"]["201"]["links"]
    created = by_id["partner_subscriptions_create"][1]["responses"]["201"]["links"]

    assert {link["operationId"] for link in hold.values()} >= {
        "bookings_retrieve",
        "bookings_checkout",
        "bookings_cancel",
    }
    assert {link["operationId"] for link in created.values()} >= {
        "partner_subscriptions_retrieve",
        "partner_subscriptions_update",
        "partner_subscriptions_destroy",
    }
    for (source, status), links in LINKS.items():
        assert status in by_id[source][1]["responses"], source
        for link in links.values():
            target_path = by_id[link["operationId"]][0]
            for name in link.get("parameters", {}):
                assert f"{{{name}}}" in target_path, (source, link)


def enum_of(prop: dict[str, Any], schemas: dict[str, Any]) -> list[str]:
    """The values a property may take, through the components drf-spectacular makes
    of enums (`$ref`, or `allOf` with a description beside it)."""
    ref = prop.get("$ref") or prop.get("allOf", [{}])[0].get("$ref")
    return list(schemas[ref.rsplit("/", 1)[1]]["enum"] if ref else prop["enum"])


SUBSCRIPTION = "/api/v1/partners/subscriptions/{subscription_id}/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nothing-here/", "/api/v2/listings/", "/api/"])
def test_a_path_under_api_that_matches_nothing_is_a_problem_in_debug_too(
    client: Client, settings: Any, path: str
) -> None:
    settings.DEBUG = True
    unsafe = Client(enforce_csrf_checks=True)

    response = client.get(path)

    assert unsafe.delete(path).status_code == 404  # not Django's HTML CSRF page
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-found"


@pytest.mark.django_db
def test_an_empty_query_value_is_refused_not_read_as_left_out(client: Client) -> None:
    response = client.get("/api/v1/listings/?page_size=")

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"parameter": "page_size", "detail": "Give a value, or leave the parameter out."}
    ]
