"""Django's own 404 and 403, raised inside an API view, read as problem details."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from before.common.exceptions import problem_exception_handler


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (Http404("No Booking matches."), 404, "not-found"),
        (PermissionDenied(), 403, "permission-denied"),
    ],
)
def test_djangos_exceptions_become_problems(error: Exception, status: int, slug: str) -> None:
    response = problem_exception_handler(error, {})

    assert response is not None
    assert (response.status_code, response.data["type"]) == (status, f"/problems/{slug}")
    assert response.content_type == "application/problem+json"
