"""The partner API through DRF's test client: API keys, subscriptions and their secrets,
SSRF checks, test events, the delivery log, redelivery, ownership and query counts.

Webhooks leave with `transaction.on_commit`; the test's transaction never commits, so
`commit()` runs them.
"""

from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock
from uuid import uuid4

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from before.partners.models import Delivery, DeliveryAttempt, Partner, Subscription
from before.partners.tests.conftest import (
    URL,
    Commit,
    PartnerClient,
    answer,
    partner_client,
    sent,
)

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"
DELIVERIES = "/api/v1/partners/deliveries/"
PROBLEM_JSON = "application/problem+json"
FORMATS = ["standard-webhooks", "cloudevents", "legacy-xml"]
SUBSCRIPTION_FIELDS = {
    "id",
    "url",
    "event_types",
    "format",
    "payload_options",
    "secret",
    "is_active",
}
DELIVERY_FIELDS = {
    "id",
    "webhook_id",
    "subscription_id",
    "event_type",
    "status",
    "attempts",
    "last_status_code",
    "next_attempt_at",
    "delivered_at",
    "attempt_log",
}


def subscribe(partner: PartnerClient, **fields: Any) -> Response:
    body = {"url": URL, "format": "standard-webhooks", **fields}
    return partner.client.post(SUBSCRIPTIONS, body, format="json")


def subscription(partner: PartnerClient, **fields: Any) -> dict[str, Any]:
    response = subscribe(partner, **fields)
    assert response.status_code == 201, response.content
    return dict(response.json())


def masked(secret: str) -> str:
    return f"{secret[:10]}…{secret[-4:]}"


def problem(response: Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = dict(response.json())
    assert (body["type"], body["status"]) == (f"/problems/{slug}", status)
    return body


def pointers(body: dict[str, Any]) -> list[str]:
    return [error["pointer"] for error in body.get("errors", [])]


def send_test_event(partner: PartnerClient, subscription_id: str, commit: Commit) -> dict[str, Any]:
    with commit():
        response = partner.client.post(f"{SUBSCRIPTIONS}{subscription_id}/test/")
    assert response.status_code == 202, response.content
    return dict(response.json())


def deliveries(partner: PartnerClient, path: str = DELIVERIES) -> list[dict[str, Any]]:
    response = partner.client.get(path)
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


class TestAuthentication:
    @pytest.mark.parametrize("path", [SUBSCRIPTIONS, DELIVERIES])
    def test_without_a_key_is_a_401_asking_for_a_bearer_token(self, path: str) -> None:
        response = APIClient().get(path)

        problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize("header", ["Bearer pk_unknown", "Bearer", "Bearer two parts"])
    def test_an_unknown_or_malformed_key_is_a_401(self, header: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)

        problem(client.get(SUBSCRIPTIONS), 401, "authentication-failed")

    def test_a_revoked_partner_is_a_401(self, partner: PartnerClient) -> None:
        Partner.objects.filter(pk=partner.partner.pk).update(is_active=False)

        problem(partner.client.get(SUBSCRIPTIONS), 401, "authentication-failed")

    def test_a_customers_token_is_not_a_partner_key(self) -> None:
        user = get_user_model().objects.create_user(username="c@example.com")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

        problem(client.get(SUBSCRIPTIONS), 401, "not-authenticated")

    def test_the_key_is_stored_only_as_a_hash(self, partner: PartnerClient) -> None:
        row = Partner.objects.get(pk=partner.partner.pk)

        assert partner.key.startswith("pk_")
        assert partner.key not in (row.api_key_hash, row.api_key_prefix)
        assert partner.key.startswith(row.api_key_prefix)


class TestCreate:
    @pytest.mark.parametrize("format", FORMATS)
    def test_answers_the_subscription_with_its_secret_in_full(
        self, partner: PartnerClient, format: str
    ) -> None:
        body = subscription(
            partner, format=format, event_types=["booking.held", "booking.cancelled"]
        )

        assert set(body) == SUBSCRIPTION_FIELDS
        assert (body["url"], body["format"], body["is_active"]) == (URL, format, True)
        assert body["event_types"] == ["booking.cancelled", "booking.held"]
        assert body["secret"].startswith("whsec_")
        row = Subscription.objects.get(pk=body["id"])
        assert (row.partner_id, row.secret) == (partner.partner.pk, body["secret"])

    def test_no_event_types_means_every_event(self, partner: PartnerClient) -> None:
        assert subscription(partner)["event_types"] == []

    def test_each_subscription_gets_its_own_secret(self, partner: PartnerClient) -> None:
        assert subscription(partner)["secret"] != subscription(partner)["secret"]

    def test_a_subscription_can_start_paused(self, partner: PartnerClient) -> None:
        assert subscription(partner, is_active=False)["is_active"] is False

    @pytest.mark.parametrize(
        ("fields", "pointer"),
        [
            ({"format": "soap"}, "#/format"),
            ({"event_types": ["booking.shipped"]}, "#/event_types"),
            ({"event_types": ["portside.test"]}, "#/event_types"),
            ({"url": "https://10.0.0.1/"}, "#/url"),
            ({"url": "https://169.254.169.254/latest/meta-data/"}, "#/url"),
            ({"url": "https://[::1]/hook"}, "#/url"),
            ({"url": "https://internal.example/hook"}, "#/url"),
            ({"url": "https://mixed.example/hook"}, "#/url"),
            ({"url": "https://localhost/hook"}, "#/url"),
            ({"url": "https://nowhere.example/hook"}, "#/url"),
            ({"url": "http://hooks.partner.example/portside"}, "#/url"),
            ({"url": "ftp://hooks.partner.example/"}, "#/url"),
            ({"url": "https://user:password@hooks.partner.example/"}, "#/url"),
            ({"url": "https://hooks.partner.example:99999/"}, "#/url"),
            ({"url": "not a url"}, "#/url"),
            # Taken as sent, not trimmed: the schema's 1 to 500 characters are all DRF checks.
            ({"url": " " + URL}, "#/url"),
            ({"url": URL.replace("portside", "port\tside")}, "#/url"),
            ({"format": "\n"}, "#/format"),
            ({"event_types": ["\n"]}, "#/event_types"),
        ],
    )
    def test_what_the_model_refuses_is_a_422_naming_the_field(
        self, partner: PartnerClient, fields: dict[str, Any], pointer: str
    ) -> None:
        body = problem(subscribe(partner, **fields), 422, "invalid-request")

        assert body["title"] == "Invalid request"
        assert pointers(body) == [pointer]
        assert not Subscription.objects.exists()

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ({}, "#/url"),
            ({"url": URL}, "#/format"),
            ({"url": URL, "format": "cloudevents", "event_types": "booking.held"}, "#/event_types"),
            ({"url": URL, "format": "cloudevents", "is_active": "maybe"}, "#/is_active"),
            # A JSON boolean only, as the schema says: not "true", 1 or "yes".
            ({"url": URL, "format": "cloudevents", "is_active": "true"}, "#/is_active"),
            ({"url": URL, "format": "cloudevents", "is_active": 1}, "#/is_active"),
            (
                {"url": URL, "format": "cloudevents", "payload_options": {"minor_units": "yes"}},
                "#/payload_options/minor_units",
            ),
            ({"url": "https://x.example/" + "a" * 500, "format": "cloudevents"}, "#/url"),
        ],
    )
    def test_a_malformed_body_is_a_400(
        self, partner: PartnerClient, body: dict[str, Any], pointer: str
    ) -> None:
        response = partner.client.post(SUBSCRIPTIONS, body, format="json")

        assert pointer in pointers(problem(response, 400, "invalid-request"))
        assert not Subscription.objects.exists()

    def test_development_allows_http_to_named_hosts(
        self, partner: PartnerClient, settings: Any
    ) -> None:
        settings.WEBHOOK_ALLOW_HTTP = True
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]

        assert subscription(partner, url="http://127.0.0.1:8000/hook")["is_active"]

    def test_http_alone_does_not_open_loopback(self, partner: PartnerClient, settings: Any) -> None:
        settings.WEBHOOK_ALLOW_HTTP = True

        body = problem(subscribe(partner, url="http://127.0.0.1:8000/hook"), 422, "invalid-request")
        assert pointers(body) == ["#/url"]


class TestReadUpdateDelete:
    def test_the_list_masks_secrets_and_holds_only_the_partners_own(
        self, partner: PartnerClient, other: PartnerClient
    ) -> None:
        mine = [subscription(partner, format=format) for format in FORMATS]
        subscription(other)

        body = partner.client.get(SUBSCRIPTIONS).json()

        assert (body["count"], body["next"], body["previous"]) == (3, None, None)
        assert body["results"] == [{**s, "secret": masked(s["secret"])} for s in mine]

    def test_the_list_is_paginated(self, partner: PartnerClient) -> None:
        mine = [subscription(partner)["id"] for _ in range(3)]

        first = partner.client.get(SUBSCRIPTIONS, {"page_size": 2}).json()
        second = partner.client.get(first["next"]).json()

        assert [s["id"] for s in first["results"] + second["results"]] == mine
        assert second["next"] is None

    def test_retrieve_masks_the_secret(self, partner: PartnerClient) -> None:
        created = subscription(partner)

        read = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()

        assert read == {**created, "secret": masked(created["secret"])}

    def test_patch_changes_only_what_it_names(self, partner: PartnerClient) -> None:
        created = subscription(partner, event_types=["booking.held"])
        path = f"{SUBSCRIPTIONS}{created['id']}/"

        paused = partner.client.patch(path, {"is_active": False}, format="json")
        reformatted = partner.client.patch(path, {"format": "legacy-xml"}, format="json")
        widened = partner.client.patch(path, {"event_types": []}, format="json")

        assert paused.json() == {**created, "is_active": False, "secret": masked(created["secret"])}
        assert reformatted.json()["format"] == "legacy-xml"
        assert widened.json()["event_types"] == []
        row = Subscription.objects.get(pk=created["id"])
        assert (row.is_active, row.format, row.event_types, row.url) == (
            False,
            "legacy-xml",
            [],
            URL,
        )

    def test_a_new_url_is_checked_again(self, partner: PartnerClient) -> None:
        created = subscription(partner)
        response = partner.client.patch(
            f"{SUBSCRIPTIONS}{created['id']}/", {"url": "https://internal.example/"}, format="json"
        )

        assert pointers(problem(response, 422, "invalid-request")) == ["#/url"]
        assert Subscription.objects.get(pk=created["id"]).url == URL

    def test_put_is_not_offered(self, partner: PartnerClient) -> None:
        created = subscription(partner)
        response = partner.client.put(f"{SUBSCRIPTIONS}{created['id']}/", {}, format="json")

        assert response.status_code == 405

    def test_delete_takes_the_deliveries_along(
        self, partner: PartnerClient, commit: Commit
    ) -> None:
        created = subscription(partner)
        send_test_event(partner, created["id"], commit)

        response = partner.client.delete(f"{SUBSCRIPTIONS}{created['id']}/")

        assert response.status_code == 204
        assert not Subscription.objects.exists()
        assert not Delivery.objects.exists()
        problem(partner.client.delete(f"{SUBSCRIPTIONS}{created['id']}/"), 404, "not-found")


class TestOwnership:
    @pytest.mark.parametrize("whose", ["another partner's", "nobody's"])
    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("get", "", None),
            ("patch", "", {"is_active": False}),
            ("delete", "", None),
            ("post", "rotate-secret/", None),
            ("post", "test/", None),
            ("get", "deliveries/", None),
        ],
    )
    def test_a_subscription_not_the_partners_own_is_not_found(
        self,
        partner: PartnerClient,
        other: PartnerClient,
        post: mock.Mock,
        commit: Commit,
        whose: str,
        method: str,
        suffix: str,
        body: Any,
    ) -> None:
        theirs = subscription(other)
        subscription_id = theirs["id"] if whose == "another partner's" else str(uuid4())
        with commit():
            response = getattr(partner.client, method)(
                f"{SUBSCRIPTIONS}{subscription_id}/{suffix}", body, format="json"
            )

        assert problem(response, 404, "not-found")["title"] == "Not found"
        row = Subscription.objects.get(pk=theirs["id"])
        assert (row.is_active, row.secret, row.previous_secret) == (True, theirs["secret"], "")
        assert not Delivery.objects.exists()
        post.assert_not_called()

    def test_another_partners_deliveries_are_neither_listed_nor_redelivered(
        self,
        partner: PartnerClient,
        other: PartnerClient,
        post: mock.Mock,
        commit: Commit,
    ) -> None:
        theirs = send_test_event(other, subscription(other)["id"], commit)
        with commit():
            response = partner.client.post(f"{DELIVERIES}{theirs['id']}/redeliver/")

        problem(response, 404, "not-found")
        assert deliveries(partner) == []
        assert post.call_count == 1


class TestRotateSecret:
    def test_answers_a_new_secret_in_full_and_keeps_the_old_one_for_a_day(
        self, partner: PartnerClient
    ) -> None:
        created = subscription(partner)

        response = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/")

        assert response.status_code == 200, response.content
        rotated = response.json()
        assert rotated == {**created, "secret": rotated["secret"]}
        assert rotated["secret"].startswith("whsec_")
        assert rotated["secret"] != created["secret"]
        row = Subscription.objects.get(pk=created["id"])
        assert (row.secret, row.previous_secret) == (rotated["secret"], created["secret"])
        assert row.previous_secret_expires_at > timezone.now() + timedelta(hours=23)
        read = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()
        assert read["secret"] == masked(rotated["secret"])

    def test_a_second_rotation_during_the_overlap_is_a_409(self, partner: PartnerClient) -> None:
        created = subscription(partner)
        path = f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/"
        first = partner.client.post(path).json()["secret"]

        body = problem(partner.client.post(path), 409, "conflict")

        assert body["title"] == "Conflict with the current state"
        assert Subscription.objects.get(pk=created["id"]).secret == first

    def test_rotating_again_once_the_overlap_ends(self, partner: PartnerClient) -> None:
        created = subscription(partner)
        path = f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/"
        partner.client.post(path)
        Subscription.objects.update(previous_secret_expires_at=timezone.now())

        assert partner.client.post(path).status_code == 200


class TestTestEvent:
    @pytest.mark.parametrize("format", FORMATS)
    def test_is_accepted_then_sent_signed_after_the_commit(
        self,
        partner: PartnerClient,
        post: mock.Mock,
        commit: Commit,
        format: str,
    ) -> None:
        created = subscription(partner, format=format)
        with commit():
            response = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/test/")
            post.assert_not_called()  # nothing leaves before the commit

        assert response.status_code == 202, response.content
        accepted = response.json()
        assert set(accepted) == DELIVERY_FIELDS
        assert (accepted["event_type"], accepted["status"], accepted["attempts"]) == (
            "portside.test",
            "pending",
            0,
        )
        [(url, headers, body)] = sent(post)
        assert url == URL
        assert headers["webhook-id"] == accepted["webhook_id"]
        Webhook(created["secret"]).verify(body, headers, json_parse=False)
        [listed] = deliveries(partner)
        assert (listed["status"], listed["attempts"], listed["last_status_code"]) == (
            "delivered",
            1,
            200,
        )

    def test_a_paused_subscription_keeps_it_for_later(
        self, partner: PartnerClient, post: mock.Mock, commit: Commit
    ) -> None:
        created = subscription(partner, is_active=False)

        accepted = send_test_event(partner, created["id"], commit)

        post.assert_not_called()
        assert Delivery.objects.get(pk=accepted["id"]).status == "pending"


class TestDeliveries:
    def test_a_delivered_one(self, partner: PartnerClient, commit: Commit) -> None:
        created = subscription(partner)
        accepted = send_test_event(partner, created["id"], commit)

        [listed] = deliveries(partner)

        assert set(listed) == DELIVERY_FIELDS
        assert (listed["id"], listed["webhook_id"]) == (accepted["id"], accepted["webhook_id"])
        assert listed["subscription_id"] == created["id"]
        assert listed["next_attempt_at"] is None
        [attempt] = listed["attempt_log"]
        assert (attempt["number"], attempt["status_code"], attempt["error"]) == (1, 200, "")
        assert attempt["response_excerpt"] == "ok"
        assert attempt["attempted_at"] == listed["delivered_at"]
        delivered_at = datetime.fromisoformat(listed["delivered_at"])
        assert abs(delivered_at - datetime.now(UTC)) < timedelta(minutes=1)

    def test_a_failed_one_waits_about_five_seconds_for_its_retry(
        self, partner: PartnerClient, post: mock.Mock, commit: Commit
    ) -> None:
        post.return_value = answer(500, "oops")
        send_test_event(partner, subscription(partner)["id"], commit)

        [listed] = deliveries(partner)

        assert (listed["status"], listed["attempts"], listed["last_status_code"]) == (
            "pending",
            1,
            500,
        )
        assert listed["delivered_at"] is None
        [attempt] = listed["attempt_log"]
        wait = datetime.fromisoformat(listed["next_attempt_at"]) - datetime.fromisoformat(
            attempt["attempted_at"]
        )
        assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5)

    def test_newest_first_paginated_and_per_subscription(
        self, partner: PartnerClient, commit: Commit
    ) -> None:
        first, second = subscription(partner), subscription(partner, format="cloudevents")
        ids = [send_test_event(partner, s["id"], commit)["id"] for s in (first, second, first)]

        page = partner.client.get(DELIVERIES, {"page_size": 2}).json()
        rest = partner.client.get(page["next"]).json()

        assert page["count"] == 3
        assert [d["id"] for d in page["results"] + rest["results"]] == ids[::-1]
        path = f"{SUBSCRIPTIONS}{first['id']}/deliveries/"
        assert [d["id"] for d in deliveries(partner, path)] == [ids[2], ids[0]]

    def test_bad_page_parameters_are_a_400_naming_them(self, partner: PartnerClient) -> None:
        body = problem(partner.client.get(DELIVERIES, {"page_size": 0}), 400, "invalid-parameters")

        assert [error["parameter"] for error in body["errors"]] == ["page_size"]


class TestRedeliver:
    def test_sends_the_same_webhook_again(
        self, partner: PartnerClient, post: mock.Mock, commit: Commit
    ) -> None:
        created = subscription(partner, format="cloudevents")
        accepted = send_test_event(partner, created["id"], commit)
        with commit():
            response = partner.client.post(f"{DELIVERIES}{accepted['id']}/redeliver/")
            assert post.call_count == 1  # not before the commit

        assert response.status_code == 202, response.content
        assert (response.json()["id"], response.json()["status"]) == (accepted["id"], "pending")
        first, again = sent(post)
        assert again[1]["webhook-id"] == first[1]["webhook-id"] == accepted["webhook_id"]
        assert again[2] == first[2]
        [listed] = deliveries(partner)
        assert (listed["status"], listed["attempts"]) == ("delivered", 2)
        assert [a["number"] for a in listed["attempt_log"]] == [1, 2]

    def test_a_dead_delivery_comes_back_with_a_fresh_schedule(
        self, partner: PartnerClient, post: mock.Mock, commit: Commit
    ) -> None:
        post.return_value = answer(503)
        accepted = send_test_event(partner, subscription(partner)["id"], commit)
        Delivery.objects.update(status="dead", failed_attempts=8, next_attempt_at=None)
        with commit():
            partner.client.post(f"{DELIVERIES}{accepted['id']}/redeliver/")

        delivery = Delivery.objects.get(pk=accepted["id"])
        assert (delivery.status, delivery.failed_attempts) == ("pending", 1)
        assert delivery.next_attempt_at - timezone.now() < timedelta(seconds=6)

    def test_an_unknown_delivery_is_not_found(self, partner: PartnerClient) -> None:
        problem(partner.client.post(f"{DELIVERIES}{uuid4()}/redeliver/"), 404, "not-found")


def make_deliveries(subscription_id: str, number: int) -> None:
    """`number` delivered deliveries with two attempts each, straight into the tables."""
    now = timezone.now()
    rows = Delivery.objects.bulk_create(
        Delivery(
            subscription_id=subscription_id,
            event_type="booking.held",
            payload="{}",
            status="delivered",
            delivered_at=now,
        )
        for _ in range(number)
    )
    DeliveryAttempt.objects.bulk_create(
        DeliveryAttempt(delivery=row, number=n, attempted_at=now, status_code=code, duration_ms=5)
        for row in rows
        for n, code in ((1, 500), (2, 200))
    )


class TestQueryCounts:
    """The API key, COUNT, the page, and for deliveries one query for all their attempts
    (plus the subscription itself when listing one subscription's deliveries)."""

    @pytest.mark.parametrize("page_size", [1, 25, 100])
    def test_listing_subscriptions(
        self, partner: PartnerClient, django_assert_num_queries: Any, page_size: int
    ) -> None:
        for format in FORMATS * 10:
            subscription(partner, format=format)

        with django_assert_num_queries(3):
            response = partner.client.get(SUBSCRIPTIONS, {"page_size": page_size})

        assert len(response.json()["results"]) == min(page_size, 30)

    @pytest.mark.parametrize("page_size", [1, 25, 100])
    def test_listing_deliveries(
        self, partner: PartnerClient, django_assert_num_queries: Any, page_size: int
    ) -> None:
        mine = subscription(partner)["id"]
        make_deliveries(mine, 30)

        with django_assert_num_queries(4):
            everything = partner.client.get(DELIVERIES, {"page_size": page_size})
        with django_assert_num_queries(5):
            one = partner.client.get(f"{SUBSCRIPTIONS}{mine}/deliveries/", {"page_size": page_size})

        for response in (everything, one):
            assert len(response.json()["results"]) == min(page_size, 30)
            assert all(d["attempts"] == 2 for d in response.json()["results"])


@pytest.mark.django_db(transaction=True)
def test_outside_a_test_transaction_the_answer_describes_the_delivery_before_its_send(
    post: mock.Mock,
) -> None:
    """In production no test transaction wraps the request: the send runs when the
    view's own transaction commits, after the 202 body was written."""
    partner = partner_client("Real commits")
    created = subscription(partner)

    accepted = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/test/").json()
    again = partner.client.post(f"{DELIVERIES}{accepted['id']}/redeliver/").json()

    assert (accepted["status"], accepted["attempts"]) == ("pending", 0)
    assert (again["status"], again["attempts"]) == ("pending", 1)
    assert post.call_count == 2


OPTIONS = {
    "minor_units": True,
    "fields": ["reference", "total"],
    "rename": {"type": "event", "data": "payload"},
}
NO_OPTIONS = {"minor_units": False, "fields": [], "rename": {}}


class TestPayloadOptions:
    def patch(self, partner: PartnerClient, subscription_id: str, body: Any) -> Response:
        return partner.client.patch(f"{SUBSCRIPTIONS}{subscription_id}/", body, format="json")

    def test_a_subscription_has_none_unless_asked(self, partner: PartnerClient) -> None:
        assert subscription(partner)["payload_options"] == NO_OPTIONS

    def test_options_are_stored_and_read_back(self, partner: PartnerClient) -> None:
        created = subscription(partner, payload_options=OPTIONS)

        assert created["payload_options"] == OPTIONS
        read = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()
        assert read["payload_options"] == OPTIONS
        assert Subscription.objects.get(id=created["id"]).payload_options == OPTIONS

    def test_options_left_out_take_their_defaults(self, partner: PartnerClient) -> None:
        created = subscription(partner, payload_options={"minor_units": True})

        assert created["payload_options"] == {**NO_OPTIONS, "minor_units": True}

    def test_a_change_replaces_the_options_whole_and_leaves_the_rest(
        self, partner: PartnerClient
    ) -> None:
        created = subscription(partner, payload_options=OPTIONS, format="cloudevents")

        response = self.patch(partner, created["id"], {"payload_options": {"fields": ["status"]}})

        assert response.status_code == 200, response.content
        assert response.json()["payload_options"] == {**NO_OPTIONS, "fields": ["status"]}
        assert response.json()["format"] == "cloudevents"
        unchanged = self.patch(partner, created["id"], {"is_active": False})
        assert unchanged.json()["payload_options"] == {**NO_OPTIONS, "fields": ["status"]}

    @pytest.mark.parametrize(
        ("options", "pointer"),
        [
            ({"fields": ["reference", "price"]}, "#/payload_options/fields/1"),
            ({"rename": {"kind": "event"}}, "#/payload_options/rename/kind"),
            ({"rename": {"type": "data"}}, "#/payload_options/rename/type"),
            ({"rename": {"type": "two words"}}, "#/payload_options/rename/type"),
        ],
    )
    def test_an_unknown_field_or_a_bad_rename_is_a_422_with_a_pointer(
        self, partner: PartnerClient, options: dict[str, Any], pointer: str
    ) -> None:
        body = problem(subscribe(partner, payload_options=options), 422, "invalid-request")

        assert pointers(body) == [pointer]
        assert not Subscription.objects.exists()

    def test_a_bad_change_leaves_the_options_as_they_were(self, partner: PartnerClient) -> None:
        created = subscription(partner, payload_options=OPTIONS)

        response = self.patch(partner, created["id"], {"payload_options": {"fields": ["nope"]}})

        assert pointers(problem(response, 422, "invalid-request")) == ["#/payload_options/fields/0"]
        assert Subscription.objects.get(id=created["id"]).payload_options == OPTIONS

    @pytest.mark.parametrize(
        ("options", "pointer"),
        [
            ("minor", "#/payload_options"),
            ({"minor_units": "perhaps"}, "#/payload_options/minor_units"),
            ({"fields": "reference"}, "#/payload_options/fields"),
            ({"rename": ["type", "event"]}, "#/payload_options/rename"),
        ],
    )
    def test_options_of_the_wrong_shape_are_a_400(
        self, partner: PartnerClient, options: Any, pointer: str
    ) -> None:
        body = problem(subscribe(partner, payload_options=options), 400, "invalid-request")

        assert pointer in pointers(body)

    def test_the_admin_refuses_what_the_api_refuses(self, partner: PartnerClient) -> None:
        row = Subscription(
            partner=partner.partner,
            url="https://hooks.partner.example/portside",
            format="cloudevents",
            payload_options={"rename": {"type": "data"}},
        )

        with pytest.raises(ValidationError) as refused:
            row.full_clean()
        assert list(refused.value.message_dict) == ["payload_options"]
