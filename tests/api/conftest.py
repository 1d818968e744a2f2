from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from adapters.catalog import models as catalog_models
from tests.api.customers import Customer, make_customer
from tests.factories.orm import SlotRowFactory


@pytest.fixture
def api() -> APIClient:
    """An anonymous client of the REST API."""
    return APIClient()


@pytest.fixture
def alice() -> Customer:
    return make_customer("alice@example.com")


@pytest.fixture
def bob() -> Customer:
    return make_customer("bob@example.com")


@pytest.fixture
def customer() -> APIClient:
    """A signed-in customer's client, for tests that need just one."""
    return make_customer().client


@pytest.fixture
def fast_hashing(settings: Any) -> None:
    """MD5, not PBKDF2: signing in (even with a wrong password) hashes, and tests wait on it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def operator() -> Client:
    """A signed-in superuser's client, for the admin."""
    staff = get_user_model().objects.create_superuser("ops", "ops@portside.example", "pw")
    client = Client()
    client.force_login(staff)
    return client


@pytest.fixture
def slot() -> catalog_models.Slot:
    """Ten seats at 25.00 EUR, 30 days ahead, on a published listing (100% > 48 h)."""
    return SlotRowFactory()


@pytest.fixture(autouse=True)
def _uncounted() -> None:
    """DRF's throttles count requests in Django's cache: each test starts with none counted."""
    cache.clear()
