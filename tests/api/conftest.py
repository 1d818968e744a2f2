import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api() -> APIClient:
    """An anonymous client of the REST API."""
    return APIClient()
