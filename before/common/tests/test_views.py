"""What every endpoint shares: health, and problem details for paths nothing serves."""

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
def test_health_reports_the_database_up():
    response = APIClient().get("/health/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_an_unknown_path_is_a_404_problem(settings):
    settings.DEBUG = False

    response = APIClient().get("/no/such/path/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/not-found"


def test_the_schema_lists_every_endpoint(db):
    response = APIClient().get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/listings/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{reference}/cancel/",
        "/api/v1/bookings/{reference}/checkout/",
        "/webhooks/payments/{provider}/",
    } <= set(paths)


@pytest.mark.parametrize(
    "path", ["/api/v1/auth/register/", "/api/v1/bookings/", "/webhooks/payments/sandbox/"]
)
def test_a_body_over_the_limit_is_a_413_problem(customer, settings, path):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = customer.post(path, {"padding": "x" * 1000}, format="json")

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/request-too-large"
