"""`/health/live`, `/health/ready` and the original `/health/`."""

import socket

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import override_settings
from rest_framework.test import APIClient

PROBLEM_JSON = "application/problem+json"


def redis_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_live_answers_without_touching_the_database() -> None:
    # No django_db mark: any query would fail the test.
    response = APIClient().get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="")
def test_ready_checks_the_database_and_no_broker_when_none_is_set() -> None:
    response = APIClient().get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "up"}}


@pytest.mark.django_db
@override_settings(CELERY_BROKER_URL="")
def test_ready_is_a_503_problem_when_the_database_is_down(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    response = APIClient().get("/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 503
    assert body["type"] == "/problems/unavailable"
    assert body["title"] == "Service unavailable"
    assert body["checks"] == {"database": "down"}
    assert "database" in body["detail"]
    # The original endpoint says the same in its own words.
    legacy = APIClient().get("/health/")
    assert legacy.status_code == 503
    assert legacy.json() == {"status": "unavailable", "database": "down"}


@pytest.mark.django_db
@pytest.mark.skipif(not redis_running(), reason="no Redis on 127.0.0.1:6379")
def test_ready_pings_the_broker_when_one_is_set() -> None:
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15"):
        response = APIClient().get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "up", "broker": "up"}}


@pytest.mark.django_db
def test_ready_is_a_503_problem_when_the_broker_is_down() -> None:
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0"):
        response = APIClient().get("/health/ready")
    assert response.status_code == 503
    assert response["Content-Type"] == PROBLEM_JSON
    assert response.json()["checks"] == {"database": "up", "broker": "down"}
