"""handler500 (`adapters.storefront.errors`): a browser gets a page, a program gets
problem details; a database that could not be reached is a 503 to retry either way,
wherever it failed, in a view or before one (the session, which is in the database)."""

from collections.abc import Iterator
from unittest import mock

import pytest
from dependency_injector import providers
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from adapters.api.problems import DATABASE_RETRY_AFTER
from config.container import container
from tests.api.customers import Customer

pytestmark = pytest.mark.django_db

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
PROGRAM = {"HTTP_ACCEPT": "application/json"}


def failing(error: Exception) -> providers.Callable[None]:
    def fails() -> None:
        raise error

    return providers.Callable(fails)


@pytest.fixture
def client() -> Client:
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(alice: Customer) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(alice.user)
    return client


@pytest.fixture
def sessions_down(signed_in: Client) -> Iterator[None]:
    """The session store's database gone, after Alice signed in."""
    cut = OperationalError("server closed the connection unexpectedly")
    with mock.patch.object(SessionStore, "load", side_effect=cut):
        yield


def test_a_page_whose_database_is_down_asks_to_try_again(client: Client) -> None:
    with container.list_listings.override(failing(OperationalError("connection refused"))):
        response = client.get("/", **BROWSER)

    assert response.status_code == 503
    assert response["Retry-After"] == DATABASE_RETRY_AFTER
    assert response["Content-Type"].startswith("text/html")
    assert "Back in a moment" in response.content.decode()


@pytest.mark.usefixtures("sessions_down")
def test_the_session_failing_before_the_view_is_a_503_page_too(signed_in: Client) -> None:
    response = signed_in.get("/bookings/", **BROWSER)

    assert response.status_code == 503
    assert response["Retry-After"] == DATABASE_RETRY_AFTER
    assert "Back in a moment" in response.content.decode()


@pytest.mark.usefixtures("sessions_down")
def test_a_program_gets_a_503_problem_from_outside_the_api_views(signed_in: Client) -> None:
    response = signed_in.get("/bookings/", **PROGRAM)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == DATABASE_RETRY_AFTER
    assert response.json()["type"] == "/problems/service-unavailable"


@pytest.mark.usefixtures("sessions_down")
def test_an_api_path_answers_problem_details_even_to_a_browser(signed_in: Client) -> None:
    response = signed_in.get("/api/v1/bookings/", **BROWSER)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"


def test_a_bug_is_a_500_page_for_people_and_a_500_problem_for_programs(client: Client) -> None:
    with container.list_listings.override(failing(RuntimeError("a bug"))):
        page = client.get("/", **BROWSER)
        problem = client.get("/", **PROGRAM)

    assert page.status_code == problem.status_code == 500
    assert "Something went wrong" in page.content.decode()
    assert "a bug" not in page.content.decode()
    assert problem["Content-Type"] == "application/problem+json"
    assert problem.json()["detail"] == "Something broke on our side."


def test_an_error_page_that_fails_to_render_falls_back_to_plain_text(client: Client) -> None:
    unrenderable = mock.patch(
        "adapters.storefront.errors.render_to_string", side_effect=ValueError("no manifest")
    )
    with unrenderable, container.list_listings.override(failing(OperationalError("gone"))):
        response = client.get("/", **BROWSER)

    assert response.status_code == 503
    assert response["Retry-After"] == DATABASE_RETRY_AFTER
    assert response["Content-Type"].startswith("text/plain")
    assert "Back in a moment" in response.content.decode()
