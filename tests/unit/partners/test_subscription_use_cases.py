"""Use cases: a partner creates, changes and deletes its subscriptions, and rotates
their secrets."""

from datetime import timedelta
from uuid import uuid4

import pytest

from application.partners.delete_subscription import DeleteSubscriptionCommand
from application.partners.list_subscriptions import (
    GetSubscription,
    GetSubscriptionQuery,
    ListSubscriptions,
    ListSubscriptionsQuery,
)
from application.partners.ports import DestinationPolicy
from application.partners.rotate_secret import RotateSecretCommand
from application.partners.update_subscription import UpdateSubscriptionCommand
from domain.booking.events import BookingHeld
from domain.partners.errors import InvalidSubscription, SubscriptionNotFound
from domain.partners.subscription import Subscription
from tests.unit.partners.builders import NOW, a_booking
from tests.unit.partners.partners import HOST, URL, Partners

NEW_HOST = "new.example.com"
NEW_URL = f"https://{NEW_HOST}/hooks"


def stored(partners: Partners, subscription: Subscription) -> Subscription | None:
    return partners.uow.subscriptions.subscriptions.get(subscription.id)


def field_of(refused: pytest.ExceptionInfo[InvalidSubscription]) -> set[str]:
    return {fault.field for fault in refused.value.faults}


# ---------------------------------------------------------------- create


def test_a_new_subscription_is_stored_with_a_fresh_secret(partners: Partners) -> None:
    subscription = partners.subscribe(
        7, event_types=frozenset({"booking.held"}), format="cloudevents"
    )

    assert stored(partners, subscription) == subscription
    assert subscription.partner_id == 7
    assert (subscription.url, subscription.format) == (URL, "cloudevents")
    assert subscription.event_types == frozenset({"booking.held"})
    assert subscription.is_active
    assert subscription.secret.startswith("whsec_")
    assert subscription.previous_secret is None
    assert partners.subscribe().secret != subscription.secret


def test_a_subscription_may_start_paused(partners: Partners) -> None:
    assert not partners.subscribe(is_active=False).is_active


@pytest.mark.parametrize("address", ["127.0.0.1", "10.0.0.8", "169.254.169.254", "::1"])
def test_a_url_whose_host_resolves_to_a_private_address_is_refused(
    partners: Partners, address: str
) -> None:
    partners.resolver.addresses[HOST] = [address]

    with pytest.raises(InvalidSubscription) as refused:
        partners.subscribe()

    assert field_of(refused) == {"url"}
    assert partners.uow.subscriptions.subscriptions == {}


def test_plain_http_is_refused_unless_the_policy_allows_it(partners: Partners) -> None:
    with pytest.raises(InvalidSubscription) as refused:
        partners.subscribe(url="http://hooks.example.com/")
    assert field_of(refused) == {"url"}

    development = Partners(policy=DestinationPolicy(allow_http=True))
    assert development.subscribe(url="http://hooks.example.com/").url.startswith("http:")


def test_an_allowed_host_may_be_local() -> None:
    local = Partners(policy=DestinationPolicy(allowed_hosts=frozenset({"localhost"})))
    local.resolver.addresses["localhost"] = ["127.0.0.1"]

    assert local.subscribe(url="https://localhost:9000/hooks").is_active


def test_an_unknown_format_is_refused(partners: Partners) -> None:
    with pytest.raises(InvalidSubscription) as refused:
        partners.subscribe(format="soap")

    assert field_of(refused) == {"format"}
    assert "cloudevents, legacy-xml, standard-webhooks" in refused.value.faults[0].message
    assert partners.uow.subscriptions.subscriptions == {}


def test_an_unknown_event_type_is_refused(partners: Partners) -> None:
    with pytest.raises(InvalidSubscription) as refused:
        partners.subscribe(event_types=frozenset({"booking.paid"}))

    assert field_of(refused) == {"event_types"}
    assert partners.uow.subscriptions.subscriptions == {}


# ---------------------------------------------------------------- read


def test_a_partner_lists_and_reads_only_its_own(partners: Partners) -> None:
    mine = [partners.subscribe(1), partners.subscribe(1)]
    theirs = partners.subscribe(2)

    page = ListSubscriptions(partners.uow.subscriptions)(ListSubscriptionsQuery(1))
    get = GetSubscription(partners.uow.subscriptions)

    assert [s.id for s in page.items] == [s.id for s in mine]
    assert page.total == 2
    assert get(GetSubscriptionQuery(1, mine[0].id)) == mine[0]
    with pytest.raises(SubscriptionNotFound):
        get(GetSubscriptionQuery(1, theirs.id))


# ---------------------------------------------------------------- update


def update(partners: Partners, subscription: Subscription, **changes: object) -> Subscription:
    return partners.update(
        UpdateSubscriptionCommand(subscription.partner_id, subscription.id, **changes)  # type: ignore[arg-type]
    )


def test_an_update_changes_only_what_it_names(partners: Partners) -> None:
    subscription = partners.subscribe(event_types=frozenset({"booking.held"}))

    updated = update(partners, subscription, url=NEW_URL)

    assert updated.url == NEW_URL
    assert (updated.event_types, updated.format, updated.secret, updated.is_active) == (
        subscription.event_types,
        subscription.format,
        subscription.secret,
        subscription.is_active,
    )
    assert stored(partners, subscription) == updated


def test_an_update_may_pause_resume_and_change_format_and_events(partners: Partners) -> None:
    subscription = partners.subscribe()

    paused = update(partners, subscription, is_active=False, format="legacy-xml")
    assert (paused.is_active, paused.format, paused.url) == (False, "legacy-xml", URL)

    resumed = update(partners, subscription, is_active=True)
    assert resumed.is_active
    assert resumed.format == "legacy-xml"

    narrowed = update(partners, subscription, event_types=frozenset({"booking.expired"}))
    assert not narrowed.wants("booking.held")

    widened = update(partners, subscription, event_types=frozenset())  # empty: every event
    assert widened.wants("booking.held")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"url": "https://internal.example.com/"}, "url"),
        ({"url": "http://new.example.com/"}, "url"),
        ({"url": "ftp://new.example.com/"}, "url"),
        ({"format": "soap"}, "format"),
        ({"event_types": frozenset({"booking.paid"})}, "event_types"),
    ],
)
def test_an_update_is_checked_as_a_creation_is_and_changes_nothing_when_refused(
    partners: Partners, changes: dict[str, object], field: str
) -> None:
    subscription = partners.subscribe()
    partners.resolver.addresses["internal.example.com"] = ["192.168.0.10"]

    with pytest.raises(InvalidSubscription) as refused:
        update(partners, subscription, is_active=False, **changes)

    assert field_of(refused) == {field}
    assert stored(partners, subscription) == subscription


def test_an_unchanged_url_is_not_checked_again(partners: Partners) -> None:
    """Only what the update names is checked: pausing works while DNS misbehaves."""
    subscription = partners.subscribe()
    partners.resolver.addresses[HOST] = ["10.0.0.1"]

    assert not update(partners, subscription, is_active=False).is_active


def test_another_partners_subscription_cannot_be_updated(partners: Partners) -> None:
    theirs = partners.subscribe(2)

    with pytest.raises(SubscriptionNotFound):
        partners.update(UpdateSubscriptionCommand(1, theirs.id, is_active=False))
    with pytest.raises(SubscriptionNotFound):
        partners.update(UpdateSubscriptionCommand(1, uuid4(), is_active=False))

    assert stored(partners, theirs) == theirs


# ---------------------------------------------------------------- delete


def test_a_deleted_subscription_is_gone_with_its_deliveries(partners: Partners) -> None:
    subscription = partners.subscribe(1)
    kept = partners.subscribe(1)
    booking = a_booking()
    partners.record([BookingHeld(NOW, booking.id, booking.reference)], {booking.id: booking})

    partners.delete(DeleteSubscriptionCommand(1, subscription.id))

    assert stored(partners, subscription) is None
    assert [d.subscription_id for d in partners.deliveries()] == [kept.id]
    assert partners.uow.deliveries.due_ids(NOW, 10) == [partners.deliveries()[0].id]


def test_another_partners_subscription_cannot_be_deleted(partners: Partners) -> None:
    theirs = partners.subscribe(2)

    with pytest.raises(SubscriptionNotFound):
        partners.delete(DeleteSubscriptionCommand(1, theirs.id))

    assert stored(partners, theirs) == theirs


# ---------------------------------------------------------------- rotate


def test_a_rotation_gives_a_new_secret_and_keeps_the_old_one_for_a_day(
    partners: Partners,
) -> None:
    subscription = partners.subscribe()

    rotated = partners.rotate(RotateSecretCommand(1, subscription.id))

    assert rotated.secret.startswith("whsec_")
    assert rotated.secret != subscription.secret
    assert rotated.previous_secret == subscription.secret
    assert rotated.previous_secret_expires_at == NOW + timedelta(hours=24)
    assert stored(partners, subscription) == rotated
    assert rotated.signing_secrets(NOW) == [rotated.secret, subscription.secret]
    assert rotated.signing_secrets(NOW + timedelta(hours=24)) == [rotated.secret]


def test_another_partners_secret_cannot_be_rotated(partners: Partners) -> None:
    theirs = partners.subscribe(2)

    with pytest.raises(SubscriptionNotFound):
        partners.rotate(RotateSecretCommand(1, theirs.id))

    assert stored(partners, theirs) == theirs
