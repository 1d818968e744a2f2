"""Django's own errors, raised inside an API view, read as problem details."""

import pytest
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404

from before.common.exceptions import problem_exception_handler


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (Http404("No Booking matches."), 404, "not-found"),
        (PermissionDenied(), 403, "permission-denied"),
        (RequestDataTooBig(), 413, "request-too-large"),
        (OperationalError("connection refused"), 503, "service-unavailable"),
        (InterfaceError("connection already closed"), 503, "service-unavailable"),
    ],
)
def test_djangos_exceptions_become_problems(error: Exception, status: int, slug: str) -> None:
    response = problem_exception_handler(error, {})

    assert response is not None
    assert (response.status_code, response.data["type"]) == (status, f"/problems/{slug}")
    assert response.content_type == "application/problem+json"


def test_a_database_that_failed_is_retried_after_five_seconds() -> None:
    response = problem_exception_handler(OperationalError("server closed the connection"), {})

    assert response is not None
    assert response["Retry-After"] == "5"
    assert "server closed" not in response.data["detail"]  # the details go to the log
