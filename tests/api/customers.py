"""Customers for API tests: a user with a DRF token and a client that sends it."""

from dataclasses import dataclass
from itertools import count
from typing import Any

from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

_emails = count(1)


@dataclass
class Customer:
    user: Any
    client: APIClient

    @property
    def id(self) -> int:
        return int(self.user.pk)


def make_customer(email: str | None = None, password: str | None = None) -> Customer:
    """A customer with a token; no password unless asked, so no slow hashing."""
    email = email or f"customer{next(_emails)}@example.com"
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return Customer(user, client)
