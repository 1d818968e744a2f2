"""`manage.py load_demo_data`, and the database refusing what the domain refuses."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from pytest_django import Settings

from adapters.catalog import models
from adapters.catalog.mapping import listing_from_row, slot_from_row
from tests.factories.orm import ListingRowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings: Settings) -> None:
    """The demo users' passwords are hashed and checked; quickly, in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo_data() -> str:
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return (
        models.Listing.objects.count(),
        models.Slot.objects.count(),
        get_user_model().objects.count(),
    )


def test_demo_data_loads_a_shop() -> None:
    output = load_demo_data()

    listings, slots, users = counts()
    assert listings == 8
    assert 150 <= slots <= 260  # a slot a day for thirty days but Mondays, each
    assert users == 2
    assert f"{listings} new listings, {slots} new slots, 2 new users" in output
    assert models.Listing.objects.filter(is_published=True).count() == 8
    assert set(models.Listing.objects.values_list("currency", flat=True)) == {
        "EUR",
        "GBP",
        "USD",
        "JPY",
    }


def test_demo_data_loads_only_upcoming_slots_on_open_days() -> None:
    load_demo_data()

    starts = list(models.Slot.objects.values_list("starts_at", flat=True))
    assert min(starts) > datetime.now(UTC)
    assert max(starts) < datetime.now(UTC) + timedelta(days=32)
    assert all(start.weekday() != 0 for start in starts)  # closed on Mondays


def test_demo_data_is_valid_for_the_domain() -> None:
    """Every row maps to a domain object: the repositories can read all of it."""
    load_demo_data()

    for slot in models.Slot.objects.select_related("listing"):
        listing_from_row(slot.listing)
        slot_from_row(slot, slot.listing.currency)


def test_loading_twice_creates_nothing_new() -> None:
    load_demo_data()
    before = counts()
    ids = set(models.Slot.objects.values_list("id", flat=True))

    output = load_demo_data()

    assert counts() == before
    assert set(models.Slot.objects.values_list("id", flat=True)) == ids
    assert "0 new listings, 0 new slots, 0 new users" in output


def test_the_demo_customer_can_sign_in() -> None:
    load_demo_data()

    customer = authenticate(username="demo@portside.example", password="portside-demo")

    assert customer is not None
    assert customer.email == "demo@portside.example"
    assert not customer.is_staff
    assert authenticate(username="demo@portside.example", password="wrong") is None


def test_the_staff_account_is_a_superuser() -> None:
    load_demo_data()

    admin = authenticate(username="admin", password="admin")

    assert admin is not None
    assert admin.is_superuser
    assert admin.is_staff


# ---------------------------------------------------------------- database constraints

START = datetime(2030, 6, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"capacity": 0}, "slot_capacity_positive"),
        ({"ends_at": START}, "slot_ends_after_starts"),
        ({"ends_at": START - timedelta(minutes=1)}, "slot_ends_after_starts"),
        ({"price_amount": Decimal("-0.01")}, "slot_price_not_negative"),
        ({"capacity": 2, "seats_held": 2, "seats_booked": 1}, "slot_seats_within_capacity"),
    ],
    ids=["no-seats", "ends-as-it-starts", "ends-before-it-starts", "negative-price", "overbooked"],
)
def test_the_database_refuses_an_invalid_slot(fields: dict[str, Any], constraint: str) -> None:
    listing = ListingRowFactory()
    row = {
        "listing": listing,
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "capacity": 10,
        "price_amount": Decimal("25.00"),
    }

    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        models.Slot.objects.create(**(row | fields))

    assert not models.Slot.objects.exists()
    models.Slot.objects.create(**row)  # the connection is still usable: a valid one goes in
