"""A subscription: which events it wants, and which secrets sign what it is sent."""

from datetime import timedelta

import attrs
import pytest

from domain.partners.errors import InvalidSubscription, RotationUnderWay
from domain.partners.events import EVENT_TYPE_NAMES, TEST_EVENT_TYPE
from domain.partners.subscription import ROTATION_OVERLAP
from tests.unit.partners.builders import NOW, OTHER_SECRET, SECRET, a_subscription

THIRD_SECRET = "whsec_dGhpcmQtc2VjcmV0LWZvci10ZXN0aW5nISE="


def test_the_subscribable_events_are_the_four_booking_events() -> None:
    assert (
        frozenset({"booking.held", "booking.confirmed", "booking.cancelled", "booking.expired"})
        == EVENT_TYPE_NAMES
    )
    assert TEST_EVENT_TYPE not in EVENT_TYPE_NAMES


@pytest.mark.parametrize(
    "event_types",
    [
        frozenset({"booking.paid"}),
        frozenset({"booking.held", "Booking.Held"}),
        frozenset({TEST_EVENT_TYPE}),
        frozenset({""}),
    ],
)
def test_an_unknown_event_type_is_refused_on_its_field(event_types: frozenset[str]) -> None:
    with pytest.raises(InvalidSubscription) as refused:
        a_subscription(event_types=event_types)

    assert [fault.field for fault in refused.value.faults] == ["event_types"]


def test_changing_event_types_through_evolve_checks_them_again() -> None:
    subscription = a_subscription()

    with pytest.raises(InvalidSubscription):
        attrs.evolve(subscription, event_types=frozenset({"booking.paid"}))


def test_no_event_types_means_every_event() -> None:
    subscription = a_subscription()

    assert all(subscription.wants(name) for name in EVENT_TYPE_NAMES)


def test_a_filter_wants_only_its_events() -> None:
    subscription = a_subscription(event_types=frozenset({"booking.held", "booking.cancelled"}))

    assert subscription.wants("booking.held")
    assert subscription.wants("booking.cancelled")
    assert not subscription.wants("booking.confirmed")
    assert not subscription.wants("booking.expired")


def test_a_paused_subscription_wants_nothing() -> None:
    subscription = a_subscription(is_active=False)

    assert not any(subscription.wants(name) for name in EVENT_TYPE_NAMES)


def test_before_any_rotation_one_secret_signs() -> None:
    assert a_subscription().signing_secrets(NOW) == [SECRET]


def test_after_a_rotation_both_secrets_sign_for_a_day_newest_first() -> None:
    subscription = a_subscription(secret=SECRET)

    subscription.rotate_secret(OTHER_SECRET, NOW)

    assert timedelta(hours=24) == ROTATION_OVERLAP
    assert subscription.secret == OTHER_SECRET
    assert subscription.signing_secrets(NOW) == [OTHER_SECRET, SECRET]
    assert subscription.signing_secrets(NOW + timedelta(hours=23, minutes=59, seconds=59)) == [
        OTHER_SECRET,
        SECRET,
    ]


def test_from_exactly_a_day_after_a_rotation_only_the_new_secret_signs() -> None:
    subscription = a_subscription(secret=SECRET)
    subscription.rotate_secret(OTHER_SECRET, NOW)

    assert subscription.signing_secrets(NOW + timedelta(hours=24)) == [OTHER_SECRET]
    assert subscription.signing_secrets(NOW + timedelta(days=30)) == [OTHER_SECRET]


def test_a_second_rotation_waits_until_the_first_overlap_ends() -> None:
    subscription = a_subscription(secret=SECRET)
    subscription.rotate_secret(OTHER_SECRET, NOW)

    with pytest.raises(RotationUnderWay):
        subscription.rotate_secret(THIRD_SECRET, NOW + timedelta(hours=1))
    assert subscription.signing_secrets(NOW + timedelta(hours=1)) == [OTHER_SECRET, SECRET]

    subscription.rotate_secret(THIRD_SECRET, NOW + timedelta(hours=24))
    assert subscription.signing_secrets(NOW + timedelta(hours=24)) == [THIRD_SECRET, OTHER_SECRET]
    assert subscription.previous_secret_expires_at == NOW + timedelta(hours=48)
