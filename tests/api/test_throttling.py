"""Rate limits: anonymous callers by IP, customers by account, partners by API key.

Each refusal is a 429 `throttled` problem with `Retry-After`. The rates come from
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, set low here.
"""

from typing import Any

import pytest
from rest_framework.test import APIClient

from adapters.api.problems import PROBLEM_JSON
from adapters.partners.auth import new_partner
from tests.api.customers import make_customer

LISTINGS = "/api/v1/listings/"


@pytest.fixture(autouse=True)
def low_rates(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/m", "customer": "4/m", "partner": "5/m"},
    }


def partner_client(name: str) -> APIClient:
    _, key = new_partner(name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def assert_throttled(response: Any) -> None:
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    assert int(response["Retry-After"]) >= 1
    problem = response.json()
    assert problem["type"] == "/problems/throttled"
    assert problem["title"] == "Too Many Requests"
    assert problem["status"] == 429
    assert "throttled" in problem["detail"]


def allowed(client: APIClient, path: str, times: int) -> None:
    for _ in range(times):
        assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_anonymous_callers_are_limited_by_address() -> None:
    allowed(APIClient(), LISTINGS, 3)
    assert_throttled(APIClient().get(LISTINGS))
    allowed(APIClient(REMOTE_ADDR="192.0.2.7"), LISTINGS, 3)  # another address counts apart


@pytest.mark.django_db
def test_customers_are_limited_by_account_not_by_address() -> None:
    alice, bob = make_customer(), make_customer()
    allowed(APIClient(), LISTINGS, 3)  # the address's anonymous budget is spent…
    allowed(alice.client, "/api/v1/bookings/", 4)  # …and does not touch a customer's
    assert_throttled(alice.client.get(LISTINGS))
    allowed(bob.client, "/api/v1/bookings/", 4)


@pytest.mark.django_db
def test_partners_are_limited_by_key() -> None:
    first, second = partner_client("First"), partner_client("Second")
    allowed(first, "/api/v1/partners/subscriptions/", 5)
    assert_throttled(first.get("/api/v1/partners/deliveries/"))
    allowed(second, "/api/v1/partners/subscriptions/", 5)  # same address, its own count


@pytest.mark.django_db
def test_logging_in_is_limited_like_any_anonymous_call() -> None:
    for _ in range(3):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "x@example.com", "password": "x"}, format="json"
        )
        assert response.status_code == 400
    assert_throttled(
        APIClient().post(
            "/api/v1/auth/token/", {"username": "x@example.com", "password": "x"}, format="json"
        )
    )


@pytest.mark.django_db
def test_payment_webhooks_are_never_throttled() -> None:
    for _ in range(10):
        response = APIClient().post("/webhooks/payments/sandbox/", {}, format="json")
        assert response.status_code == 400  # no signature: refused, but never a 429


@pytest.mark.django_db
def test_off_lifts_a_limit(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": None, "customer": "1/m", "partner": "1/m"},
    }
    allowed(APIClient(), LISTINGS, 10)
