"""`retry_deliveries`: what Celery beat sends every 30 seconds."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from before.partners.models import SEND_GRACE, Delivery, Subscription
from before.partners.tasks import retry_deliveries
from before.partners.tests.conftest import URL, PartnerClient, answer, sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(partner: PartnerClient) -> Subscription:
    return Subscription.objects.create(partner=partner.partner, url=URL, format="cloudevents")


def due(subscription: Subscription, seconds_ago: int = 1, **fields: Any) -> Delivery:
    return Delivery.objects.create(
        subscription=subscription,
        event_type="booking.held",
        payload='{"reference": "PS-7K3F9Q"}',
        next_attempt_at=timezone.now() - timedelta(seconds=seconds_ago),
        **fields,
    )


def test_sends_what_is_due_oldest_first(subscription: Subscription, post: mock.Mock) -> None:
    later, earlier = due(subscription, seconds_ago=1), due(subscription, seconds_ago=60)
    due(subscription, seconds_ago=-60)  # not yet
    due(subscription, status="delivered")
    due(subscription, status="dead")

    assert retry_deliveries() == 2

    assert [headers["webhook-id"] for _, headers, _ in sent(post)] == [
        earlier.webhook_id,
        later.webhook_id,
    ]
    assert set(Delivery.objects.filter(status="delivered").values_list("pk", flat=True)) >= {
        earlier.pk,
        later.pk,
    }


def test_a_new_delivery_waits_a_grace_period_for_the_request_that_made_it(
    subscription: Subscription, post: mock.Mock
) -> None:
    delivery = Delivery.objects.create(subscription=subscription, event_type="x", payload="{}")

    assert retry_deliveries() == 0
    post.assert_not_called()
    assert delivery.next_attempt_at - timezone.now() > SEND_GRACE - timedelta(seconds=5)


def test_a_paused_subscriptions_deliveries_wait(
    subscription: Subscription, post: mock.Mock
) -> None:
    due(subscription)
    Subscription.objects.update(is_active=False)

    assert retry_deliveries() == 0
    post.assert_not_called()


def test_a_failure_moves_on_along_the_schedule(subscription: Subscription, post: mock.Mock) -> None:
    post.return_value = answer(502)
    delivery = due(subscription, failed_attempts=1)

    retry_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.failed_attempts) == ("pending", 2)
    wait = delivery.next_attempt_at - delivery.attempts.get().attempted_at
    assert timedelta(minutes=4.5) <= wait <= timedelta(minutes=5.5)


def test_the_eighth_failure_is_the_last(subscription: Subscription, post: mock.Mock) -> None:
    post.return_value = answer(500)
    delivery = due(subscription, failed_attempts=7)

    retry_deliveries()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == ("dead", None)


def test_a_delivery_another_run_has_claimed_is_left_alone(
    subscription: Subscription, post: mock.Mock
) -> None:
    delivery = due(subscription)
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())

    assert delivery.claim_for_retry() is False
    assert Delivery.objects.get(pk=delivery.pk).claim_for_retry() is True


def test_an_unexpected_error_is_logged_and_the_others_still_go(
    subscription: Subscription, post: mock.Mock, caplog: pytest.LogCaptureFixture
) -> None:
    due(subscription, seconds_ago=60)
    due(subscription, seconds_ago=1)
    post.side_effect = [RuntimeError("boom"), answer()]

    assert retry_deliveries() == 2

    assert "could not be attempted" in caplog.text
    assert post.call_count == 2
