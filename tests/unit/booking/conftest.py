"""Fixtures of the booking unit tests."""

import pytest

from tests.unit.booking.shop import Shop


@pytest.fixture
def shop() -> Shop:
    return Shop()
