"""Hostile input on every endpoint: always a 4xx problem, never a 5xx.

The endpoints come from the OpenAPI schema, so a new one is covered as soon as it is
in `/api/schema/`. Each is called with the credentials it needs (a customer's token,
a partner's Bearer key, or none), with:

- bodies that are not what the API reads: malformed JSON, JSON that is not an object,
  `NaN`, nesting a thousand levels deep, a body of the wrong content type, one over
  the size limit;
- hostile values in every field of a well-shaped body, one field at a time and all at
  once: huge and overlong numbers, NUL characters, lone surrogates, right-to-left
  overrides, emoji, zero-width and combining characters, very long strings;
- hostile path and query parameters.

The payment webhook is also fed correctly signed sandbox events carrying the same
values, so they reach the parser behind the signature check.
"""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from adapters.api.problems import PROBLEM_JSON
from adapters.partners.auth import new_partner
from outside.payment_sandbox.signing import HEADER, sign
from tests.api.customers import make_customer

# Logging in hashes even a wrong password; the slow default would take minutes here.
pytestmark = pytest.mark.usefixtures("fast_hashing")

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
METHODS = {"get", "post", "put", "patch", "delete"}


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in SCHEMA["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


OPERATIONS = _operations()
WITH_BODY = [op for op in OPERATIONS if "requestBody" in op[2]]


def op_id(operation: tuple[str, str, dict[str, Any]]) -> str:
    return f"{operation[0]} {operation[1]}"


# Raw JSON literals, put in place of a field's value.
HOSTILE_VALUES: dict[str, str] = {
    "huge-int": "1" + "0" * 100,  # 10**100
    "huge-negative": "-1" + "0" * 100,
    "too-many-digits": "9" * 5000,  # past Python's 4300-digit limit for int()
    "float-overflow": "1e999",  # infinity once parsed
    "tiny-float": "1e-999",
    "fraction": "1.5",
    "int64-edge": str(2**63),
    "zero": "0",
    "negative": "-1",
    "nul": json.dumps("a\u0000b"),
    "lone-surrogate": '"\\ud800"',
    "reversed-surrogates": '"\\udfff\\ud800"',
    "rtl-override": json.dumps("\u202eexe.txt"),
    "emoji": json.dumps("🚢⚓🏴‍☠️", ensure_ascii=False),
    "zero-width": json.dumps("\u200b\u200d\ufeff"),
    "combining": json.dumps("e" + "\u0301" * 500, ensure_ascii=False),
    "long-string": json.dumps("x" * 60_000),  # under the 64 KiB body limit
    "empty-string": '""',
    "null": "null",
    "true": "true",
    "object": '{"$gt": ""}',
    "array": "[[], {}]",
}

# Whole bodies that no endpoint reads as a request.
HOSTILE_BODIES: dict[str, tuple[bytes, str]] = {
    "malformed-json": (b'{"lines": [', "application/json"),
    "nan": (b'{"seats": NaN}', "application/json"),
    "deep-nesting": (b"[" * 1000 + b"]" * 1000, "application/json"),
    "deep-objects": (b'{"a":' * 40 + b"1" + b"}" * 40, "application/json"),
    "top-level-array": (b"[]", "application/json"),
    "top-level-string": (b'"lines"', "application/json"),
    "top-level-null": (b"null", "application/json"),
    "invalid-utf8": (b'{"email": "\xff\xfe"}', "application/json"),
    "utf16": ('{"email": "a@b.c"}'.encode("utf-16"), "application/json"),
    "text-plain": (b'{"lines": []}', "text/plain"),
    "xml": (b"<lines/>", "application/xml"),
    "form": (b"email=a%40b.c&password=x", "application/x-www-form-urlencoded"),
    "multipart": (b"--x\r\n\r\n--x--\r\n", "multipart/form-data; boundary=x"),
}
# Read as JSON by every endpoint that takes a body, whatever the shape within.
READABLE_BODIES: dict[str, tuple[bytes, str]] = {
    "json-with-charset": (b'{"lines": []}', "application/json; charset=latin-1"),
    "json-suffix-type": (b"{}", "application/json; foo=bar"),
}

# In place of a path parameter.
HOSTILE_PATH_VALUES = {
    "nul": "%00",
    "encoded-surrogate": "%ED%A0%80",
    "rtl": "%E2%80%AE",
    "emoji": "%F0%9F%9A%A2",
    "long": "A" * 5000,
    "dots": "..%2F..%2Fetc",
    "huge-number": "9" * 400,
}

# As query parameters of every GET.
HOSTILE_QUERIES = {
    "huge-page": {"page": str(10**30)},
    "huge-page-size": {"page_size": str(10**30)},
    "too-many-digits": {"page": "9" * 5000},
    "negative": {"page": "-1", "page_size": "-5"},
    "float": {"page": "1.5", "page_size": "1e3"},
    "nul": {"page": "1\x00", "from": "\x00", "to": "2026-01-01T00:00:00\x00"},
    "unicode": {"page": "١", "page_size": "²", "from": "２０２６-01-01"},  # noqa: RUF001
    "huge-dates": {"from": "99999-12-31T00:00:00Z", "to": "-0001-01-01"},
    "far-dates": {"from": "9999-12-31T23:59:59Z", "to": "0001-01-01T00:00:00Z"},
    "long": {"page": "1" * 10_000, "from": "x" * 10_000},
}


@pytest.fixture
def caller(db: None) -> dict[str, APIClient]:
    customer = make_customer()
    _, key = new_partner("Hostile Partner")
    partner = APIClient()
    partner.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return {"anonymous": APIClient(), "customer": customer.client, "partner": partner}


def who_calls(operation: dict[str, Any]) -> str:
    security = operation.get("security") or [{}]
    if any("partnerKey" in requirement for requirement in security):
        return "partner"
    if {} in security:
        return "anonymous"
    return "customer"


def fill_path(path: str, operation: dict[str, Any], hostile: str | None = None) -> str:
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "path":
            continue
        name = parameter["name"]
        if hostile is not None:
            value = hostile
        elif name == "provider":
            value = "sandbox"
        elif parameter["schema"].get("format") == "uuid":
            value = str(uuid.uuid4())
        else:
            value = "PS-NOPE42"
        path = path.replace(f"{{{name}}}", value)
    return path


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_schema(operation: dict[str, Any]) -> dict[str, Any]:
    content = operation["requestBody"]["content"]
    return resolve(next(iter(content.values()))["schema"])


PLACEHOLDER = "__hostile__"


def template(schema: dict[str, Any], field: str | None, prefix: str = "") -> Any:
    """A well-shaped body with PLACEHOLDER in field `field` (a dotted path), or everywhere."""
    schema = resolve(schema)
    if schema.get("type") == "array":
        return [template(schema.get("items", {}), field, prefix + "0.")]
    if schema.get("type") == "object" or "properties" in schema:
        return {
            name: template(sub, field, f"{prefix}{name}.")
            for name, sub in schema.get("properties", {}).items()
        }
    name = prefix.rstrip(".")
    if field is None or field == name:
        return PLACEHOLDER
    return sample(schema)


def sample(schema: dict[str, Any]) -> Any:
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("enum"):
        return schema["enum"][0]
    return {"integer": 1, "boolean": True, "number": 1}.get(schema.get("type", ""), "text")


def leaves(value: Any, prefix: str = "") -> list[str]:
    if isinstance(value, dict):
        return [leaf for key, sub in value.items() for leaf in leaves(sub, f"{prefix}{key}.")]
    if isinstance(value, list):
        return [leaf for index, sub in enumerate(value) for leaf in leaves(sub, f"{prefix}0.")]
    return [prefix.rstrip(".")]


def hostile_bodies(operation: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(field, template) for each field alone, then all of them at once."""
    schema = body_schema(operation)
    for field in leaves(template(schema, None)):
        yield field, template(schema, field)
    yield "every field", template(schema, None)


def render(body: Any, literal: str) -> bytes:
    text = json.dumps(body).replace(json.dumps(PLACEHOLDER), literal)
    return text.encode("utf-8", "surrogatepass")


def assert_refused_well(response: Any, what: str, expected: set[int] | None = None) -> None:
    """A client error in the problem shape; any success is fine unless `expected` is given."""
    status = response.status_code
    assert status < 500, f"{what}: {status} {response.content[:300]!r}"
    if expected is not None:
        assert status in expected, f"{what}: {status} {response.content[:300]!r}"
    if status >= 400:
        assert response["Content-Type"] == PROBLEM_JSON, f"{what}: {response['Content-Type']}"
        problem = response.json()
        assert {"type", "title", "status", "detail"} <= problem.keys(), f"{what}: {problem}"
        assert problem["status"] == status, f"{what}: {problem}"


def call(client: APIClient, method: str, path: str, body: bytes, content_type: str) -> Any:
    return client.generic(method, path, body, content_type=content_type)


@pytest.mark.parametrize("operation", WITH_BODY, ids=op_id)
def test_hostile_values_in_every_field_are_refused_as_problems(
    caller: dict[str, APIClient], operation: tuple[str, str, dict[str, Any]]
) -> None:
    method, path, details = operation
    client = caller[who_calls(details)]
    for kind, literal in HOSTILE_VALUES.items():
        # Text no database can store never reaches a serializer.
        expected = {400} if kind in {"nul", "lone-surrogate", "reversed-surrogates"} else None
        for field, body in hostile_bodies(details):
            url = fill_path(path, details)
            response = call(client, method, url, render(body, literal), "application/json")
            assert_refused_well(response, f"{method} {path} {kind} in {field}", expected)


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_bodies_the_api_cannot_read_are_refused_as_problems(
    caller: dict[str, APIClient], operation: tuple[str, str, dict[str, Any]]
) -> None:
    method, path, details = operation
    client = caller[who_calls(details)]
    for kind, (body, content_type) in {**HOSTILE_BODIES, **READABLE_BODIES}.items():
        response = call(client, method, fill_path(path, details), body, content_type)
        expected = None
        # Endpoints without a body never read one.
        if "requestBody" in details and kind in HOSTILE_BODIES:
            expected = {415} if content_type.split(";")[0] != "application/json" else {400}
        assert_refused_well(response, f"{method} {path} {kind}", expected)


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_a_body_over_the_limit_is_a_413_problem(
    caller: dict[str, APIClient], operation: tuple[str, str, dict[str, Any]]
) -> None:
    method, path, details = operation
    limit = (
        settings.PAYMENT_WEBHOOK_MAX_BODY_SIZE
        if path.startswith("/webhooks/")
        else settings.MAX_REQUEST_BODY_SIZE
    )
    body = json.dumps({"padding": "x" * limit}).encode()
    response = call(
        caller[who_calls(details)], method, fill_path(path, details), body, "application/json"
    )
    assert_refused_well(response, f"{method} {path}", {413})
    assert response.json()["type"] == "/problems/request-too-large"


@pytest.mark.parametrize("operation", OPERATIONS, ids=op_id)
def test_hostile_query_and_path_parameters_are_refused_as_problems(
    caller: dict[str, APIClient], operation: tuple[str, str, dict[str, Any]]
) -> None:
    method, path, details = operation
    client = caller[who_calls(details)]
    for kind, query in HOSTILE_QUERIES.items():
        url = f"{fill_path(path, details)}?{urlencode(query)}"
        response = call(client, method, url, b"{}", "application/json")
        assert_refused_well(response, f"{method} {path} query {kind}")
    if "{" not in path:
        return
    for kind, value in HOSTILE_PATH_VALUES.items():
        url = fill_path(path, details, value)
        response = call(client, method, url, b"{}", "application/json")
        assert_refused_well(response, f"{method} {path} path {kind}")


@pytest.mark.parametrize(
    "header",
    ["\x00", "k" * 256, "", "\u202ekey", "ключ", "key\r\nX-Evil: 1"],
    ids=["nul", "too-long", "empty", "rtl", "cyrillic", "crlf"],
)
def test_a_hostile_idempotency_key_is_refused_as_a_problem(
    caller: dict[str, APIClient], header: str
) -> None:
    body = json.dumps({"lines": [{"slot_id": str(uuid.uuid4()), "seats": 1}]}).encode()
    response = caller["customer"].generic(
        "POST",
        "/api/v1/bookings/",
        body,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=header,
    )
    assert_refused_well(response, f"Idempotency-Key {header!r}")


SANDBOX_EVENT = {
    "id": "evt_1",
    "type": "payment.succeeded",
    "created": 1_700_000_000,
    "data": {
        "payment_id": "pay_1",
        "amount": "25.00",
        "currency": "EUR",
        "refund_id": "re_1",
        "refund_amount": "25.00",
        "metadata": {"booking_id": str(uuid.uuid4()), "reference": "PS-NOPE42"},
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", HOSTILE_VALUES)
def test_signed_webhook_events_with_hostile_values_are_refused_as_problems(kind: str) -> None:
    for field in [*leaves(SANDBOX_EVENT), "every field"]:
        event = template_from(SANDBOX_EVENT, None if field == "every field" else field)
        body = render(event, HOSTILE_VALUES[kind])
        signature = sign(body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET, int(time.time()))
        response = Client().post(
            "/webhooks/payments/sandbox/",
            body,
            content_type="application/json",
            headers={HEADER: signature},
        )
        assert_refused_well(response, f"webhook {kind} in {field}")


def template_from(value: Any, field: str | None, prefix: str = "") -> Any:
    if isinstance(value, dict):
        return {key: template_from(sub, field, f"{prefix}{key}.") for key, sub in value.items()}
    if field is None or prefix.rstrip(".") == field:
        return PLACEHOLDER
    return value


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field",
    ["a\x00b", "\u202eexe.txt", "🚢" * 1000, "9" * 5000, "x" * 60_000, "-1" + "0" * 100],
    ids=["nul", "rtl", "emoji", "too-many-digits", "long", "huge-negative"],
)
def test_the_storefront_forms_refuse_hostile_values_without_breaking(field: str) -> None:
    customer = make_customer()
    client = Client()
    client.force_login(customer.user)
    listing = client.get("/")  # the storefront answers at all
    assert listing.status_code == 200
    for path, data in [
        ("/login/", {"username": field, "password": field}),
        (f"/listings/{uuid.uuid4()}/", {"slot": field, "seats": field}),
        ("/bookings/PS-NOPE42/cancel/", {"confirm": field}),
        ("/bookings/PS-NOPE42/pay/", {"confirm": field}),
    ]:
        response = client.post(path, data)
        assert response.status_code < 500, f"{path} {field[:10]!r}: {response.status_code}"


@pytest.mark.django_db
def test_the_storefront_refuses_an_oversized_form_and_a_nul_path_as_problems() -> None:
    response = Client().post("/login/", {"username": "x" * settings.MAX_REQUEST_BODY_SIZE})
    assert_refused_well(response, "oversized login form", {413})
    response = Client().get("/bookings/%00/")
    assert_refused_well(response, "NUL in a storefront path", {404})
