"""The served schema: the answers every operation can give, and links that lead from
one operation to the next with parameters the target has."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def schema(db):
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema):
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def test_every_operation_may_answer_414_and_503_and_one_with_a_body_413(schema):
    for path, method, operation in operations(schema):
        assert {"414", "503"} <= set(operation["responses"]), (method, path)
        assert list(operation["responses"]["414"]["content"]) == ["text/html"]  # gunicorn's
        assert ("413" in operation["responses"]) == ("requestBody" in operation), (method, path)


def test_a_hold_documents_its_idempotency_key(schema):
    parameters = schema["paths"]["/api/v1/bookings/"]["post"]["parameters"]

    assert [(p["name"], p["in"], p["schema"]["maxLength"]) for p in parameters] == [
        ("Idempotency-Key", "header", 255)
    ]


def test_links_name_operations_and_parameters_that_exist(schema):
    by_id = {operation["operationId"]: operation for _, _, operation in operations(schema)}
    links = [
        (source, link)
        for _, _, source in operations(schema)
        for response in source["responses"].values()
        for link in response.get("links", {}).values()
    ]
    assert len(links) > 40
    for source, link in links:
        target = by_id[link["operationId"]]
        names = {p["name"] for p in target.get("parameters", [])}
        assert set(link.get("parameters", {})) <= names, link
        for expression in link.get("parameters", {}).values():
            if expression.startswith("$request.path."):
                own = {p["name"] for p in source["parameters"] if p["in"] == "path"}
                assert expression.removeprefix("$request.path.") in own, link
        assert ("requestBody" in link) <= ("requestBody" in target), link


def test_links_lead_from_a_slot_to_a_cancelled_booking(schema):
    def targets(path, method, status):
        links = schema["paths"][path][method]["responses"][status]["links"].values()
        return {link["operationId"] for link in links}

    slots = "/api/v1/listings/{listing_id}/slots/"
    assert targets(slots, "get", "200") == {"api_v1_bookings_create"}
    assert {"api_v1_bookings_retrieve", "api_v1_bookings_checkout_create"} <= targets(
        "/api/v1/bookings/", "post", "201"
    )
    assert "api_v1_bookings_cancel_create" in targets(
        "/api/v1/bookings/{reference}/checkout/", "post", "200"
    )
