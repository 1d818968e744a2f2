"""Listings check their cancellation policy, and read it as refund tiers."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from before.catalog.models import Listing

FLEXIBLE = [{"hours_before": 48, "refund_percent": 100}, {"hours_before": 24, "refund_percent": 50}]


def listing(policy):
    return Listing(title="Kayak", location="Lisbon", currency="EUR", cancellation_policy=policy)


@pytest.mark.parametrize(
    ("hours_ahead", "percent"), [(49, 100), (47, 50), (25, 50), (24, 0), (1, 0), (-1, 0)]
)
def test_the_first_tier_whose_notice_is_exceeded_refunds(hours_ahead, percent):
    now = timezone.now()

    assert listing(FLEXIBLE).refund_percent(now + timedelta(hours=hours_ahead), now) == percent


def test_a_listing_without_tiers_refunds_nothing():
    assert listing([]).refund_percent(timezone.now() + timedelta(days=90)) == 0


@pytest.mark.parametrize(
    "policy",
    [
        {"hours_before": 48},
        [{"hours_before": "48", "refund_percent": 100}],
        [{"hours_before": 48, "refund_percent": 120}],
        [{"hours_before": 24, "refund_percent": 50}, {"hours_before": 48, "refund_percent": 100}],
        [{"hours_before": 48, "refund_percent": 50}, {"hours_before": 24, "refund_percent": 100}],
    ],
    ids=["not a list", "hours a string", "over 100%", "ascending hours", "more for less notice"],
)
def test_a_policy_that_makes_no_sense_is_refused(policy):
    with pytest.raises(ValidationError) as refused:
        listing(policy).clean()

    assert "cancellation_policy" in refused.value.message_dict


def test_a_sound_policy_passes():
    listing(FLEXIBLE).clean()
