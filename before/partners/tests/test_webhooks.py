"""Sending one delivery: the three payload formats, the signatures a partner's
`standardwebhooks` library checks, and what each attempt leaves behind.

The formats are held to the after version's golden files (tests/unit/partners/golden):
both versions promise partners the same bytes.
"""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import requests
from django.conf import settings
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from before.partners import webhooks
from before.partners.models import RETRY_SCHEDULE, Delivery, Partner, Subscription, new_secret
from before.partners.tests.conftest import URL, Commit, answer, sent

pytestmark = pytest.mark.django_db

GOLDEN = Path(settings.BASE_DIR) / "tests" / "unit" / "partners" / "golden"
# The golden files' two events: (webhook id, type, time).
EVENTS = {
    "held": (
        "msg_2b7f4c1e9d8a4f3b8e6d5c4b3a2f1e0d",
        "booking.held",
        datetime(2030, 6, 1, 9, 0, 0, 250000, tzinfo=UTC),
    ),
    "cancelled": (
        "msg_8c1d2e3f4a5b4c6d9e7f8a9b0c1d2e3f",
        "booking.cancelled",
        datetime(2030, 6, 2, 17, 30, tzinfo=UTC),
    ),
}
SUFFIXES = {"standard-webhooks": "json", "cloudevents": "json", "legacy-xml": "xml"}
CONTENT_TYPES = {
    "standard-webhooks": "application/json",
    "cloudevents": "application/cloudevents+json",
    "legacy-xml": "application/xml",
}


@pytest.fixture
def subscription(partner: Any) -> Subscription:
    return Subscription.objects.create(partner=partner.partner, url=URL, format="cloudevents")


def a_delivery(subscription: Subscription, **fields: Any) -> Delivery:
    values = {
        "event_type": "booking.held",
        "booking_reference": "PS-7K3F9Q",
        "payload": json.dumps({"reference": "PS-7K3F9Q", "status": "held"}),
        **fields,
    }
    return Delivery.objects.create(subscription=subscription, **values)


def golden(format: str, case: str) -> str:
    return (GOLDEN / f"{format}-{case}.{SUFFIXES[format]}").read_text(encoding="utf-8")


def golden_delivery(case: str, subscription: Subscription) -> Delivery:
    """The golden files' event `case` as an unsaved delivery for `subscription`."""
    webhook_id, event_type, occurred_at = EVENTS[case]
    return Delivery(
        subscription=subscription,
        webhook_id=webhook_id,
        event_type=event_type,
        payload=json.dumps(json.loads(golden("standard-webhooks", case))["data"]),
        occurred_at=occurred_at,
    )


class TestFormats:
    @pytest.mark.parametrize("format", list(SUFFIXES))
    @pytest.mark.parametrize("case", list(EVENTS))
    def test_a_body_is_the_after_versions_to_the_byte(self, format: str, case: str) -> None:
        content_type, body = webhooks.render(golden_delivery(case, Subscription(format=format)))

        assert content_type == CONTENT_TYPES[format]
        assert body == golden(format, case)

    @pytest.mark.parametrize("format", list(SUFFIXES))
    @pytest.mark.parametrize("case", list(EVENTS))
    def test_a_body_with_payload_options_is_the_after_versions_to_the_byte(
        self, format: str, case: str
    ) -> None:
        options = {
            "minor_units": True,
            "fields": ["reference", "lines", "total", "refund"],
            "rename": {"type": "event", "data": "payload"},
        }
        subscription = Subscription(format=format, payload_options=options)

        content_type, body = webhooks.render(golden_delivery(case, subscription))

        assert content_type == CONTENT_TYPES[format]
        assert body == golden(format, f"{case}-options")

    def test_options_shape_a_test_event_too_but_keep_its_own_fields(
        self, subscription: Subscription
    ) -> None:
        subscription.format = "standard-webhooks"
        subscription.payload_options = {"fields": ["status"], "rename": {"data": "payload"}}
        delivery = a_delivery(subscription, event_type="portside.test", payload='{"message": "hi"}')

        event = json.loads(webhooks.render(delivery)[1])

        assert event["payload"] == {"message": "hi"}
        assert "data" not in event

    def test_an_unknown_format_is_an_error_not_a_guess(self) -> None:
        delivery = Delivery(subscription=Subscription(format="soap"), payload="{}")

        with pytest.raises(ValueError, match="no known format"):
            webhooks.render(delivery)

    def test_a_test_event_is_reverse_dns_in_cloudevents_and_has_no_subject(
        self, subscription: Subscription
    ) -> None:
        delivery = a_delivery(subscription, event_type="portside.test", payload='{"message": "hi"}')

        event = json.loads(webhooks.render(delivery)[1])

        assert event["type"] == "com.portside.test"
        assert "subject" not in event


class TestSignatures:
    def test_a_partner_verifies_the_request_with_its_secret(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        webhooks.send(a_delivery(subscription))

        [(_, headers, body)] = sent(post)
        assert headers["content-type"] == "application/cloudevents+json"
        Webhook(subscription.secret).verify(body, headers, json_parse=False)
        with pytest.raises(WebhookVerificationError):
            Webhook(new_secret()).verify(body, headers, json_parse=False)

    def test_after_a_rotation_both_secrets_sign_newest_first(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        old = subscription.secret
        subscription.rotate_secret()

        webhooks.send(a_delivery(subscription))

        [(_, headers, body)] = sent(post)
        newest, previous = headers["webhook-signature"].split(" ")
        Webhook(subscription.secret).verify(
            body, {**headers, "webhook-signature": newest}, json_parse=False
        )
        Webhook(old).verify(body, {**headers, "webhook-signature": previous}, json_parse=False)

    def test_the_old_secret_stops_signing_when_the_overlap_ends(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        subscription.rotate_secret()
        subscription.previous_secret_expires_at = timezone.now() - timedelta(seconds=1)

        webhooks.send(a_delivery(subscription))

        [(_, headers, _)] = sent(post)
        assert len(headers["webhook-signature"].split(" ")) == 1


class TestSend:
    def test_posts_once_with_timeouts_and_no_redirects(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        webhooks.send(a_delivery(subscription))

        post.assert_called_once()
        assert post.call_args.args == (URL,)
        assert post.call_args.kwargs["timeout"] == webhooks.TIMEOUT
        assert post.call_args.kwargs["allow_redirects"] is False

    def test_a_2xx_delivers(self, subscription: Subscription, post: mock.Mock) -> None:
        post.return_value = answer(204, "")
        delivery = a_delivery(subscription)

        webhooks.send(delivery)

        delivery.refresh_from_db()
        [attempt] = delivery.attempts.all()
        assert (delivery.status, delivery.delivered_at) == ("delivered", attempt.attempted_at)
        assert delivery.next_attempt_at is None
        assert (attempt.number, attempt.status_code) == (1, 204)

    @pytest.mark.parametrize("status_code", [301, 404, 500])
    def test_anything_else_waits_for_a_retry(
        self, subscription: Subscription, post: mock.Mock, status_code: int
    ) -> None:
        post.return_value = answer(status_code, "x" * 2000)
        delivery = a_delivery(subscription)

        webhooks.send(delivery)

        delivery.refresh_from_db()
        [attempt] = delivery.attempts.all()
        assert (delivery.status, delivery.failed_attempts) == ("pending", 1)
        assert attempt.status_code == status_code
        assert len(attempt.response_excerpt) == 500

    def test_a_connection_failure_keeps_its_error(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        post.side_effect = requests.ConnectionError("refused")
        delivery = a_delivery(subscription)

        webhooks.send(delivery)

        [attempt] = delivery.attempts.all()
        assert (attempt.status_code, attempt.error) == (None, "ConnectionError: refused")
        assert delivery.status == "pending"

    def test_a_url_that_now_resolves_inward_is_refused_before_sending(
        self, subscription: Subscription, post: mock.Mock, resolve: mock.Mock
    ) -> None:
        resolve.side_effect = lambda host: ["10.0.0.7"]
        delivery = a_delivery(subscription)

        webhooks.send(delivery)

        post.assert_not_called()
        [attempt] = delivery.attempts.all()
        assert attempt.error.startswith("Refused before sending:")
        assert "10.0.0.7" in attempt.error

    def test_the_retry_schedule_then_dead(
        self, subscription: Subscription, post: mock.Mock
    ) -> None:
        post.return_value = answer(500)
        delivery = a_delivery(subscription)

        waits = []
        for _ in range(len(RETRY_SCHEDULE)):
            webhooks.send(delivery)
            attempt = delivery.attempts.last()
            waits.append(delivery.next_attempt_at - attempt.attempted_at)
        webhooks.send(delivery)

        for wait, planned in zip(waits, RETRY_SCHEDULE, strict=True):
            assert planned * 0.9 <= wait <= planned * 1.1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.next_attempt_at) == ("dead", None)
        assert delivery.attempts.count() == 8


class TestSendAfterCommit:
    def test_sends_nothing_until_the_commit_then_only_whats_pending_and_active(
        self,
        partner: Any,
        subscription: Subscription,
        post: mock.Mock,
        commit: Commit,
    ) -> None:
        paused = Subscription.objects.create(
            partner=partner.partner, url=URL, format="legacy-xml", is_active=False
        )
        pending, delivered, waiting = (
            a_delivery(subscription),
            a_delivery(subscription, status="delivered"),
            a_delivery(paused),
        )
        with commit():
            webhooks.send_after_commit([pending, delivered, waiting])
            post.assert_not_called()

        assert post.call_count == 1
        assert sent(post)[0][1]["webhook-id"] == pending.webhook_id

    def test_nothing_for_a_revoked_partner(
        self, subscription: Subscription, post: mock.Mock, commit: Commit
    ) -> None:
        Partner.objects.update(is_active=False)
        with commit():
            webhooks.send_after_commit([a_delivery(subscription)])

        post.assert_not_called()
