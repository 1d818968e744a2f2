"""Registering a customer and exchanging credentials for a token."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/token/"
PASSWORD = "harbour-lights-at-dusk-42"  # noqa: S105 - a test password


def test_registering_creates_a_customer_with_a_token():
    response = APIClient().post(REGISTER, {"email": "New@Example.com", "password": PASSWORD})

    assert response.status_code == 201
    user = get_user_model().objects.get(username="new@example.com")
    assert response.json() == {
        "email": "new@example.com",
        "token": Token.objects.get(user=user).key,
    }
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, "#/email"),
        ({"email": "weak@example.com", "password": "123"}, "#/password"),
        ({"email": "weak@example.com"}, "#/password"),
        ({"email": "number@example.com", "password": 1.2345678901e20}, "#/password"),
    ],
)
def test_a_bad_registration_is_a_400_pointing_at_the_field(body, pointer):
    response = APIClient().post(REGISTER, body)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert pointer in {error["pointer"] for error in response.json()["errors"]}
    assert not get_user_model().objects.exists()


def test_an_email_registers_once_whatever_its_case():
    APIClient().post(REGISTER, {"email": "taken@example.com", "password": PASSWORD})

    response = APIClient().post(REGISTER, {"email": "Taken@Example.com", "password": PASSWORD})

    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "#/email"
    assert get_user_model().objects.count() == 1


def test_the_token_endpoint_returns_the_customers_token():
    token = APIClient().post(REGISTER, {"email": "me@example.com", "password": PASSWORD}).json()

    response = APIClient().post(LOGIN, {"username": "ME@example.com", "password": PASSWORD})

    assert response.status_code == 200
    assert response.json() == {"token": token["token"]}


def test_a_password_is_kept_as_sent_with_its_spaces():
    APIClient().post(REGISTER, {"email": "me@example.com", "password": f" {PASSWORD} "})

    trimmed = APIClient().post(LOGIN, {"username": "me@example.com", "password": PASSWORD})
    as_sent = APIClient().post(LOGIN, {"username": "me@example.com", "password": f" {PASSWORD} "})

    assert (trimmed.status_code, as_sent.status_code) == (400, 200)


def test_wrong_credentials_are_a_400_problem():
    APIClient().post(REGISTER, {"email": "me@example.com", "password": PASSWORD})

    response = APIClient().post(LOGIN, {"username": "me@example.com", "password": "wrong"})

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "/problems/invalid-request"
    assert body["errors"] == [{"pointer": "#", "detail": body["detail"]}]
