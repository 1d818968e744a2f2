"""Failed sign-ins (`adapters/platform/sign_in_attempts.py`) through either door, the
API's token endpoint and the storefront's form, counted together; the client's own
X-Forwarded-For does not reset them; guesses in parallel cannot pass the limit; a
success clears the email's count; SIGN_IN_LIMITS=off lifts them."""

import threading
import time
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from adapters.platform.sign_in_attempts import (
    PER_ACCOUNT,
    WINDOW_SECONDS,
    TooManyFailures,
    attempt,
)
from tests.api.customers import make_customer

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
EMAIL = "demo@portside.example"
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def customer(fast_hashing: None) -> Any:
    return make_customer(EMAIL, password="pw-42").user


def ask_token(password: str, **headers: str) -> Any:
    client = APIClient(REMOTE_ADDR=ADDRESS)
    return client.post(TOKEN, {"username": EMAIL, "password": password}, format="json", **headers)


def test_the_token_endpoint_refuses_after_five_failures_even_the_right_password() -> None:
    failures = [ask_token("no").status_code for _ in range(PER_ACCOUNT)]

    response = ask_token("pw-42")

    assert failures == [400] * PER_ACCOUNT
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == str(WINDOW_SECONDS)
    assert response.json()["type"] == "/problems/throttled"


def test_failures_on_the_form_count_at_the_token_endpoint_too() -> None:
    form = Client(REMOTE_ADDR=ADDRESS)
    for _ in range(PER_ACCOUNT):
        form.post("/login/", {"username": EMAIL, "password": "no"})

    assert ask_token("pw-42").status_code == 429


def test_a_forged_forwarded_for_does_not_reset_the_count() -> None:
    for number in range(PER_ACCOUNT):
        ask_token("no", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")

    assert ask_token("pw-42", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 429


def test_off_lifts_the_limit(settings: Any) -> None:
    settings.SIGN_IN_LIMITS = False
    for _ in range(PER_ACCOUNT + 1):
        ask_token("no")

    assert ask_token("pw-42").status_code == 200


class WrongPassword(Exception):
    pass


def test_guesses_in_parallel_cannot_pass_the_limit() -> None:
    """Twelve guesses at once: each is counted before its password is checked, so only
    the first five reach the check, though none has failed yet when all have started."""
    checked: list[int] = []
    outcomes: list[str] = []
    start = threading.Barrier(12)

    def wrong_password() -> None:
        checked.append(1)
        time.sleep(0.05)  # a slow hash: every guess is in flight together
        raise WrongPassword

    def guess() -> None:
        start.wait()
        try:
            attempt(EMAIL, ADDRESS, wrong_password, WrongPassword)
        except WrongPassword:
            outcomes.append("checked")
        except TooManyFailures:
            outcomes.append("refused")

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(checked) == PER_ACCOUNT
    assert sorted(outcomes) == ["checked"] * PER_ACCOUNT + ["refused"] * (12 - PER_ACCOUNT)


def test_a_success_clears_the_emails_count() -> None:
    for _ in range(PER_ACCOUNT - 1):
        ask_token("no")

    assert ask_token("pw-42").status_code == 200
    assert [ask_token("no").status_code for _ in range(PER_ACCOUNT)] == [400] * PER_ACCOUNT
    assert ask_token("pw-42").status_code == 429
