"""A request the database fails answers 503 problem details with Retry-After.

The real thing, a connection cut under gunicorn, is proven on PostgreSQL in
tests/integration/test_database_outage.py; here the error is raised where a repository
would raise it, on any database.
"""

import pytest
from dependency_injector import providers
from django.db import InterfaceError, OperationalError
from rest_framework.test import APIClient

from adapters.api.problems import DATABASE_RETRY_AFTER
from config.container import container

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
    ],
)
def test_a_database_error_is_a_503_problem_to_retry(api: APIClient, error: Exception) -> None:
    def fails() -> None:
        raise error

    with container.list_listings.override(providers.Callable(fails)):
        response = api.get("/api/v1/listings/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == DATABASE_RETRY_AFTER
    assert response.json() == {
        "type": "/problems/service-unavailable",
        "title": "Service Unavailable",
        "status": 503,
        "detail": "The database could not be reached. Try again shortly.",
    }
    assert "connection" not in response.content.decode()  # no driver message leaks
