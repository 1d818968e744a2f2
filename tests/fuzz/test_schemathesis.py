"""Fuzzing the contract: Schemathesis against `/api/schema/` of the running after version.

The after version runs under gunicorn on a fresh database with the demo data, started
as the acceptance suite starts it. Every operation in the schema is called with data
Schemathesis generates from it, both fitting the schema and not (positive and
negative), with the credentials it needs: a customer's token, or a partner's Bearer
key for the partner API. Two checks: no response is a 5xx, and every response matches
the schema (a documented status's body has the documented shape).

A finding is fixed in the code or in the schema's annotations, never by dropping a
check. `FUZZ_MAX_EXAMPLES` sets the examples per operation and mode (default 15, a
couple of minutes on two cores); the cases are the same on every run.
"""

import os
from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.acceptance.conftest import Api, Server, started

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "15"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    # Generated requests come fast from one address: no limits here.
    with started(
        "after",
        tmp_path_factory.mktemp("fuzz"),
        THROTTLE_ANON_RATE="off",
        THROTTLE_CUSTOMER_RATE="off",
        THROTTLE_PARTNER_RATE="off",
        SIGN_IN_LIMITS="off",  # random emails from one address would soon be refused
    ) as running:
        yield running


@pytest.fixture(scope="module")
def credentials(server: Server) -> dict[str, str]:
    customer = Api(server.url)
    customer.register()
    partner_key = server.manage("create_partner", "Fuzzing Partner").strip().splitlines()[-1]
    return {"customer": customer.headers["Authorization"], "partner": f"Bearer {partner_key}"}


@pytest.fixture(scope="module")
def api_schema(server: Server) -> schemathesis.BaseSchema:
    config = schemathesis.Config.from_dict({"request-timeout": 10})
    return schemathesis.openapi.from_url(f"{server.url}/api/schema/", config=config)


def _operations() -> list[tuple[str, str, GenerationMode]]:
    """Every operation, read from the schema this code base generates: a new endpoint is
    fuzzed as soon as it exists (`test_the_served_schema_has_them_all` keeps the list
    true). Negative cases only where the schema leaves something to get wrong: a body,
    a query parameter or a typed path parameter (a free-form string has no wrong value).
    """
    document = SchemaGenerator().get_schema(request=None, public=True)
    cases = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            cases.append((method.upper(), path, GenerationMode.POSITIVE))
            parameters = operation.get("parameters", [])
            if (
                "requestBody" in operation
                or any(parameter["in"] == "query" for parameter in parameters)
                or any(parameter["schema"].get("format") for parameter in parameters)
            ):
                cases.append((method.upper(), path, GenerationMode.NEGATIVE))
    return cases


OPERATIONS = _operations()


def test_the_served_schema_has_them_all(api_schema: schemathesis.BaseSchema) -> None:
    served = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert served == {(method, path) for method, path, _ in OPERATIONS}


@pytest.mark.parametrize("operation", OPERATIONS, ids=" ".join)
def test_the_api_keeps_its_contract(
    api_schema: schemathesis.BaseSchema,
    credentials: dict[str, str],
    operation: tuple[str, str, GenerationMode],
) -> None:
    method, path, mode = operation
    if path.startswith("/api/v1/partners/"):
        headers = {"Authorization": credentials["partner"]}
    elif path.startswith("/api/v1/bookings/"):
        headers = {"Authorization": credentials["customer"]}
    else:
        headers = {}
    strategy = api_schema[path][method].as_strategy(mode, headers=headers)

    @hypothesis.given(case=strategy)
    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,  # the same cases every run: CI fails for a change, not for luck
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink],
    )
    def keeps_contract(case: schemathesis.Case) -> None:
        case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])

    keeps_contract()
