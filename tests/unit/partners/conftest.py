"""Fixtures of the partner unit tests."""

import pytest

from tests.unit.partners.partners import Partners


@pytest.fixture
def partners() -> Partners:
    return Partners()
