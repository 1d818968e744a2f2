"""Operators cannot store in the admin what the domain would refuse: the forms ask the
domain (`adapters/catalog/admin.py`) and show its reason beside the field."""

import json
from typing import Any

import pytest
from django.test import Client

from adapters.catalog import models
from tests.factories.orm import ListingRowFactory

pytestmark = pytest.mark.django_db

NO_SLOTS = {
    "slots-TOTAL_FORMS": "0",
    "slots-INITIAL_FORMS": "0",
    "slots-MIN_NUM_FORMS": "0",
    "slots-MAX_NUM_FORMS": "1000",
}


def a_listing(policy: Any) -> dict[str, str]:
    return {
        "title": "Harbour walk",
        "location": "Lisbon",
        "currency": "EUR",
        "cancellation_policy": json.dumps(policy),
        **NO_SLOTS,
    }


def test_a_listing_with_a_policy_the_domain_reads_is_saved(operator: Client) -> None:
    policy = [{"hours_before": 48, "refund_percent": 100}]

    response = operator.post("/admin/catalog/listing/add/", a_listing(policy))

    assert response.status_code == 302
    assert models.Listing.objects.get(title="Harbour walk").cancellation_policy == policy


@pytest.mark.parametrize(
    "policy",
    [{"hours_before": 48}, [{"hours": 48}], [{"hours_before": 48, "refund_percent": 150}]],
)
def test_a_policy_the_domain_refuses_is_shown_beside_its_field(
    operator: Client, policy: Any
) -> None:
    response = operator.post("/admin/catalog/listing/add/", a_listing(policy))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["cancellation_policy"]
    assert not models.Listing.objects.filter(title="Harbour walk").exists()


def a_slot(listing: models.Listing, ends_at: str) -> dict[str, str]:
    return {
        "listing": str(listing.id),
        "starts_at_0": "2030-05-01",
        "starts_at_1": "10:00:00",
        "ends_at_0": "2030-05-01",
        "ends_at_1": ends_at,
        "capacity": "10",
        "price_amount": "25.00",
    }


def test_a_slot_the_domain_accepts_is_saved(operator: Client) -> None:
    listing = ListingRowFactory()

    response = operator.post("/admin/catalog/slot/add/", a_slot(listing, "12:00:00"))

    assert response.status_code == 302
    assert models.Slot.objects.filter(listing=listing).count() == 1


def test_a_slot_ending_before_it_starts_is_refused_with_the_domains_reason(
    operator: Client,
) -> None:
    listing = ListingRowFactory()

    response = operator.post("/admin/catalog/slot/add/", a_slot(listing, "09:00:00"))

    assert response.status_code == 200
    assert "A slot ends after it starts." in response.context["adminform"].form.non_field_errors()
    assert not models.Slot.objects.filter(listing=listing).exists()


def test_a_slot_added_inline_is_checked_by_the_domain_too(operator: Client) -> None:
    data = {
        **a_listing([]),
        "slots-TOTAL_FORMS": "1",
        "slots-0-starts_at_0": "2030-05-01",
        "slots-0-starts_at_1": "10:00:00",
        "slots-0-ends_at_0": "2030-05-01",
        "slots-0-ends_at_1": "09:00:00",
        "slots-0-capacity": "10",
        "slots-0-price_amount": "25.00",
    }

    response = operator.post("/admin/catalog/listing/add/", data)

    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    assert "A slot ends after it starts." in inline.formset.errors[0]["__all__"]
    assert not models.Listing.objects.filter(title="Harbour walk").exists()
