"""The partner API through DRF's test client: API keys, subscriptions and their secrets,
SSRF checks on target URLs, test events, the delivery log, redelivery, ownership, and
query-count budgets that do not grow with the page size.

No test touches the network: the container's webhook sender and address resolver are
replaced by fakes for every test. Deliveries are queued with `transaction.on_commit`;
pytest-django wraps each test in a transaction that never commits, so the tests run the
queued callbacks themselves with `django_capture_on_commit_callbacks(execute=True)`
(Celery runs eagerly in tests: no broker).
"""

import base64
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from dependency_injector import providers
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from adapters.partners import models
from adapters.partners.auth import new_partner
from adapters.partners.http import SocketResolver
from config.container import container
from domain.partners import signing
from tests.api.problems import assert_problem, pointers
from tests.fakes.partners import FixedResolver, ScriptedSender

pytestmark = pytest.mark.django_db

SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"
DELIVERIES = "/api/v1/partners/deliveries/"
PROBLEM_JSON = "application/problem+json"
URL = "https://hooks.partner.example/portside"
FORMATS = ["standard-webhooks", "cloudevents", "legacy-xml"]
CONTENT_TYPES = {
    "standard-webhooks": "application/json",
    "cloudevents": "application/cloudevents+json",
    "legacy-xml": "application/xml",
}
# How each format names a test event (CloudEvents types are reverse-DNS).
TEST_EVENT_TYPES = {
    "standard-webhooks": "portside.test",
    "cloudevents": "com.portside.test",
    "legacy-xml": "portside.test",
}
SUBSCRIPTION_FIELDS = {
    "id",
    "url",
    "event_types",
    "format",
    "payload_options",
    "secret",
    "is_active",
    "failing_since",
    "disabled_reason",
}
DELIVERY_FIELDS = {
    "id",
    "webhook_id",
    "event_type",
    "status",
    "attempts",
    "last_status_code",
    "next_attempt_at",
    "delivered_at",
}
ATTEMPT_FIELDS = {
    "number",
    "attempted_at",
    "status_code",
    "duration_ms",
    "error",
    "response_excerpt",
}
# What the fake resolver answers for these hosts; any other host resolves to a public
# address. IP literals resolve to themselves, as getaddrinfo() does.
RESOLVED = {
    "internal.example": ["10.1.2.3"],
    "mixed.example": ["93.184.215.14", "192.168.1.5"],
    "localhost": ["127.0.0.1"],
    "10.0.0.1": ["10.0.0.1"],
    "127.0.0.1": ["127.0.0.1"],
    "169.254.169.254": ["169.254.169.254"],
    "::1": ["::1"],
}

# ---- query budgets (each counted with the API-key lookup)

# GET /api/v1/partners/subscriptions/, whatever the page size:
#   1. SELECT the partner by the hash of its API key    (PartnerKeyAuthentication)
#   2. SELECT COUNT(*) of the partner's subscriptions
#   3. SELECT the page of subscriptions
SUBSCRIPTION_LIST_QUERIES = 3

# GET /api/v1/partners/deliveries/, whatever the page size:
#   1. SELECT the partner by the hash of its API key
#   2. SELECT COUNT(*) of the partner's deliveries      (JOIN their subscriptions)
#   3. SELECT the page of deliveries
#   4. SELECT the attempts of those deliveries          (one prefetch for the whole page)
DELIVERY_LIST_QUERIES = 4

# GET /api/v1/partners/subscriptions/{id}/deliveries/: the same, plus
#   5. SELECT the subscription, to answer 404 unless it is the partner's
SUBSCRIPTION_DELIVERY_LIST_QUERIES = 5


# ---------------------------------------------------------------- helpers and fixtures


@dataclass
class Network:
    """The fakes standing in for the internet: what was sent, and what hosts resolve to."""

    sender: ScriptedSender
    resolver: FixedResolver


@pytest.fixture(autouse=True)
def network() -> Iterator[Network]:
    fakes = Network(ScriptedSender(), FixedResolver(RESOLVED))
    with (
        container.webhook_sender.override(providers.Object(fakes.sender)),
        container.address_resolver.override(providers.Object(fakes.resolver)),
    ):
        yield fakes


@pytest.fixture(autouse=True)
def production_destinations(settings: Any) -> None:
    """As outside development: https only, and no host skips the address check."""
    settings.WEBHOOK_ALLOW_HTTP = False
    settings.WEBHOOK_ALLOWED_HOSTS = []


@dataclass
class Partner:
    row: models.Partner
    key: str
    client: APIClient


def make_partner(name: str) -> Partner:
    row, key = new_partner(name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Partner(row, key, client)


@pytest.fixture
def partner() -> Partner:
    return make_partner("Harbour Tours")


@pytest.fixture
def other() -> Partner:
    return make_partner("Rival Travel")


Capture = Callable[..., Any]  # the django_capture_on_commit_callbacks fixture


def subscribe(partner: Partner, **fields: Any) -> Response:
    body = {"url": URL, "format": "standard-webhooks", **fields}
    return partner.client.post(SUBSCRIPTIONS, body, format="json")


def subscription(partner: Partner, **fields: Any) -> dict[str, Any]:
    response = subscribe(partner, **fields)
    assert response.status_code == 201, response.content
    return dict(response.json())


def send_test_event(partner: Partner, subscription_id: str, capture: Capture) -> dict[str, Any]:
    """Ask for a test event and run what is queued after commit; the 202 body."""
    with capture(execute=True):
        response = partner.client.post(f"{SUBSCRIPTIONS}{subscription_id}/test/")
    assert response.status_code == 202, response.content
    return dict(response.json())


def deliveries(partner: Partner, path: str = DELIVERIES) -> list[dict[str, Any]]:
    response = partner.client.get(path)
    assert response.status_code == 200, response.content
    return list(response.json()["results"])


def payload_type(format: str, body: str) -> str:
    """The event type as a payload in each format states it."""
    if format == "legacy-xml":
        return ET.fromstring(body).attrib["type"]  # noqa: S314 - our own output
    return str(json.loads(body)["type"])


def masked(secret: str) -> str:
    return f"{secret[:10]}…{secret[-4:]}"


def verifies(secret: str, headers: dict[str, str], body: str) -> bool:
    """What a partner's `standardwebhooks` library says about a request."""
    try:
        Webhook(secret).verify(body, headers, json_parse=False)
    except WebhookVerificationError:
        return False
    return True


# ---------------------------------------------------------------- authentication


class TestAuthentication:
    @pytest.mark.parametrize(
        ("method", "path"),
        [("get", SUBSCRIPTIONS), ("post", SUBSCRIPTIONS), ("get", DELIVERIES)],
    )
    def test_without_a_key_is_a_401(self, method: str, path: str) -> None:
        response = getattr(APIClient(), method)(path)

        assert_problem(response, 401, "not-authenticated")
        assert response["WWW-Authenticate"] == "Bearer"

    @pytest.mark.parametrize(
        "header", ["Bearer pk_not-a-real-key", "Bearer", "Bearer two parts", "Bearer  "]
    )
    def test_an_unknown_or_malformed_key_is_a_401(self, partner: Partner, header: str) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(SUBSCRIPTIONS)

        assert response.status_code == 401
        assert response["Content-Type"] == PROBLEM_JSON

    def test_an_unknown_key_is_an_authentication_failure(self) -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Bearer pk_not-a-real-key")

        assert_problem(client.get(SUBSCRIPTIONS), 401, "authentication-failed")

    def test_a_revoked_partners_key_is_a_401(self, partner: Partner) -> None:
        models.Partner.objects.filter(id=partner.row.id).update(is_active=False)

        assert_problem(partner.client.get(SUBSCRIPTIONS), 401, "authentication-failed")

    def test_a_customers_token_is_not_a_partner_key(self) -> None:
        user = get_user_model().objects.create_user(username="c@example.com")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

        assert_problem(client.get(SUBSCRIPTIONS), 401, "not-authenticated")

    def test_the_key_is_stored_hashed(self, partner: Partner) -> None:
        row = models.Partner.objects.get(id=partner.row.id)

        assert partner.key.startswith("pk_")
        assert partner.key not in (row.api_key_hash, row.api_key_prefix)
        assert partner.key.startswith(row.api_key_prefix)
        assert partner.client.get(SUBSCRIPTIONS).status_code == 200


# ---------------------------------------------------------------- create


class TestCreate:
    @pytest.mark.parametrize("format", FORMATS)
    def test_returns_the_subscription_with_its_secret_in_full(
        self, partner: Partner, format: str
    ) -> None:
        response = subscribe(
            partner, format=format, event_types=["booking.held", "booking.cancelled"]
        )

        assert response.status_code == 201, response.content
        assert response["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == SUBSCRIPTION_FIELDS
        assert body["url"] == URL
        assert body["event_types"] == ["booking.cancelled", "booking.held"]
        assert body["format"] == format
        assert body["is_active"] is True
        secret = body["secret"]
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) >= 24
        row = models.Subscription.objects.get(id=body["id"])
        assert row.partner_id == partner.row.id
        assert row.secret == secret
        assert (row.url, row.format, row.is_active) == (URL, format, True)

    def test_no_event_types_means_every_event(self, partner: Partner) -> None:
        body = subscription(partner)

        assert body["event_types"] == []

    def test_a_subscription_can_start_paused(self, partner: Partner) -> None:
        assert subscription(partner, is_active=False)["is_active"] is False

    def test_each_subscription_gets_its_own_secret(self, partner: Partner) -> None:
        first, second = subscription(partner), subscription(partner)

        assert first["secret"] != second["secret"]
        assert first["id"] != second["id"]

    def test_an_unknown_format_is_a_422_naming_the_field(self, partner: Partner) -> None:
        response = subscribe(partner, format="soap")

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/format"]
        assert not models.Subscription.objects.exists()

    @pytest.mark.parametrize(
        "event_types", [["booking.shipped"], ["booking.held", "nope"], ["portside.test"]]
    )
    def test_an_unknown_event_type_is_a_422_naming_the_field(
        self, partner: Partner, event_types: list[str]
    ) -> None:
        response = subscribe(partner, event_types=event_types)

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/event_types"]
        assert not models.Subscription.objects.exists()

    @pytest.mark.parametrize(
        "url",
        [
            "https://10.0.0.1/",  # a private address
            "https://169.254.169.254/latest/meta-data/",  # link-local: cloud metadata
            "https://[::1]/hook",  # IPv6 loopback
            "https://internal.example/hook",  # a name that resolves privately
            "https://mixed.example/hook",  # one private address among public ones is enough
            "https://localhost/hook",
            "http://127.0.0.1:8000/hook",  # plain http outside development
            "http://hooks.partner.example/portside",  # plain http, public host
            "ftp://hooks.partner.example/",
            "https://user:password@hooks.partner.example/",  # credentials in the URL
            "not a url",
        ],
    )
    def test_an_unsafe_url_is_a_422_naming_the_field(self, partner: Partner, url: str) -> None:
        response = subscribe(partner, url=url)

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/url"]
        assert not models.Subscription.objects.exists()

    def test_a_private_ip_literal_is_refused_by_the_real_resolver_too(
        self, partner: Partner
    ) -> None:
        # getaddrinfo() answers IP literals without any lookup: no network is used.
        with container.address_resolver.override(providers.Object(SocketResolver())):
            response = subscribe(partner, url="https://10.0.0.1/")

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/url"]

    def test_development_allows_http_to_named_hosts(self, partner: Partner, settings: Any) -> None:
        settings.WEBHOOK_ALLOW_HTTP = True
        settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]

        assert subscription(partner, url="http://127.0.0.1:8000/hook")["url"] == (
            "http://127.0.0.1:8000/hook"
        )

    def test_http_alone_does_not_open_loopback(self, partner: Partner, settings: Any) -> None:
        settings.WEBHOOK_ALLOW_HTTP = True

        problem = assert_problem(
            subscribe(partner, url="http://127.0.0.1:8000/hook"), 422, "invalid-request"
        )
        assert pointers(problem) == ["#/url"]

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ({}, "#/url"),
            ({"url": URL}, "#/format"),
            ({"url": URL, "format": "cloudevents", "event_types": "booking.held"}, "#/event_types"),
            ({"url": URL, "format": "cloudevents", "is_active": "maybe"}, "#/is_active"),
            ({"url": "https://x.example/" + "a" * 500, "format": "cloudevents"}, "#/url"),
        ],
    )
    def test_a_malformed_body_is_a_400(
        self, partner: Partner, body: dict[str, Any], pointer: str
    ) -> None:
        response = partner.client.post(SUBSCRIPTIONS, body, format="json")

        problem = assert_problem(response, 400, "invalid-request")
        assert pointer in pointers(problem)
        assert not models.Subscription.objects.exists()

    def test_invalid_json_is_a_400(self, partner: Partner) -> None:
        response = partner.client.post(SUBSCRIPTIONS, "{not json", content_type="application/json")

        assert_problem(response, 400, "parse-error")


# ---------------------------------------------------------------- list and retrieve


class TestRead:
    def test_the_list_masks_secrets_and_shows_only_the_partners_own(
        self, partner: Partner, other: Partner
    ) -> None:
        mine = [subscription(partner, format=f) for f in FORMATS]
        subscription(other)

        response = partner.client.get(SUBSCRIPTIONS)

        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 3
        assert body["next"] is None
        assert body["previous"] is None
        assert [s["id"] for s in body["results"]] == [s["id"] for s in mine]  # oldest first
        for listed, created in zip(body["results"], mine, strict=True):
            assert set(listed) == SUBSCRIPTION_FIELDS
            assert listed == {**created, "secret": masked(created["secret"])}
            assert created["secret"] not in response.content.decode()

    def test_the_list_is_paginated(self, partner: Partner) -> None:
        mine = [subscription(partner)["id"] for _ in range(3)]

        first = partner.client.get(SUBSCRIPTIONS, {"page_size": 2}).json()
        second = partner.client.get(first["next"]).json()

        assert first["count"] == second["count"] == 3
        assert [s["id"] for s in first["results"] + second["results"]] == mine
        assert second["next"] is None

    def test_an_empty_list(self, partner: Partner) -> None:
        assert partner.client.get(SUBSCRIPTIONS).json() == {
            "count": 0,
            "next": None,
            "previous": None,
            "results": [],
        }

    def test_retrieve_masks_the_secret(self, partner: Partner) -> None:
        created = subscription(partner, format="cloudevents")
        response = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/")

        assert response.status_code == 200
        assert response.json() == {**created, "secret": masked(created["secret"])}

    def test_an_unknown_subscription_is_not_found(self, partner: Partner) -> None:
        assert_problem(partner.client.get(f"{SUBSCRIPTIONS}{uuid4()}/"), 404, "not-found")


# ---------------------------------------------------------------- update and delete


class TestUpdate:
    def patch(self, partner: Partner, subscription_id: str, body: Any) -> Response:
        return partner.client.patch(f"{SUBSCRIPTIONS}{subscription_id}/", body, format="json")

    def test_pausing_changes_nothing_else(self, partner: Partner) -> None:
        created = subscription(partner, format="cloudevents", event_types=["booking.held"])
        response = self.patch(partner, created["id"], {"is_active": False})

        assert response.status_code == 200, response.content
        assert response.json() == {
            **created,
            "is_active": False,
            "secret": masked(created["secret"]),
        }
        row = models.Subscription.objects.get(id=created["id"])
        assert row.is_active is False
        assert (row.url, row.format, row.event_types, row.secret) == (
            URL,
            "cloudevents",
            ["booking.held"],
            created["secret"],
        )

    def test_resuming(self, partner: Partner) -> None:
        created = subscription(partner, is_active=False)

        assert self.patch(partner, created["id"], {"is_active": True}).json()["is_active"]

    def test_a_subscription_disabled_by_failures_says_why_and_enabling_it_starts_afresh(
        self, partner: Partner
    ) -> None:
        created = subscription(partner)
        since = timezone.now() - timedelta(days=1)
        models.Subscription.objects.filter(id=created["id"]).update(
            is_active=False, failing_since=since, disabled_reason="Every attempt failed …"
        )
        shown = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()
        assert (shown["is_active"], shown["disabled_reason"]) == (False, "Every attempt failed …")
        assert shown["failing_since"] is not None

        enabled = self.patch(partner, created["id"], {"is_active": True}).json()

        assert (enabled["is_active"], enabled["failing_since"], enabled["disabled_reason"]) == (
            True,
            None,
            "",
        )
        row = models.Subscription.objects.get(id=created["id"])
        assert (row.is_active, row.failing_since, row.disabled_reason) == (True, None, "")

    def test_changing_the_format(self, partner: Partner) -> None:
        created = subscription(partner)
        response = self.patch(partner, created["id"], {"format": "legacy-xml"})

        assert response.status_code == 200, response.content
        assert response.json()["format"] == "legacy-xml"
        assert response.json()["is_active"] is True
        assert models.Subscription.objects.get(id=created["id"]).format == "legacy-xml"

    def test_changing_the_event_types_and_back_to_every_event(self, partner: Partner) -> None:
        created = subscription(partner)

        narrowed = self.patch(partner, created["id"], {"event_types": ["booking.expired"]})
        assert narrowed.json()["event_types"] == ["booking.expired"]
        widened = self.patch(partner, created["id"], {"event_types": []})
        assert widened.json()["event_types"] == []

    def test_changing_the_url(self, partner: Partner) -> None:
        created = subscription(partner)
        new_url = "https://elsewhere.example/hooks"
        response = self.patch(partner, created["id"], {"url": new_url})

        assert response.status_code == 200, response.content
        assert response.json()["url"] == new_url
        assert models.Subscription.objects.get(id=created["id"]).url == new_url

    @pytest.mark.parametrize(
        "url", ["https://internal.example/hook", "https://10.0.0.1/", "http://127.0.0.1/hook"]
    )
    def test_a_new_url_is_checked_again(self, partner: Partner, url: str) -> None:
        created = subscription(partner)
        response = self.patch(partner, created["id"], {"url": url})

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/url"]
        assert models.Subscription.objects.get(id=created["id"]).url == URL

    def test_an_unknown_format_is_a_422(self, partner: Partner) -> None:
        created = subscription(partner)
        problem = assert_problem(
            self.patch(partner, created["id"], {"format": "soap"}), 422, "invalid-request"
        )

        assert pointers(problem) == ["#/format"]
        assert models.Subscription.objects.get(id=created["id"]).format == "standard-webhooks"

    def test_an_unknown_event_type_is_a_422(self, partner: Partner) -> None:
        created = subscription(partner)
        response = self.patch(partner, created["id"], {"event_types": ["booking.shipped"]})

        problem = assert_problem(response, 422, "invalid-request")
        assert pointers(problem) == ["#/event_types"]
        assert models.Subscription.objects.get(id=created["id"]).event_types == []

    def test_a_malformed_body_is_a_400(self, partner: Partner) -> None:
        created = subscription(partner)
        response = self.patch(partner, created["id"], {"is_active": "maybe"})

        problem = assert_problem(response, 400, "invalid-request")
        assert pointers(problem) == ["#/is_active"]

    def test_an_empty_patch_changes_nothing(self, partner: Partner) -> None:
        created = subscription(partner)
        response = self.patch(partner, created["id"], {})

        assert response.status_code == 200
        assert response.json() == {**created, "secret": masked(created["secret"])}


class TestDelete:
    def test_deletes_the_subscription_and_its_deliveries(
        self, partner: Partner, django_capture_on_commit_callbacks: Capture
    ) -> None:
        created = subscription(partner)
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)
        response = partner.client.delete(f"{SUBSCRIPTIONS}{created['id']}/")

        assert response.status_code == 204
        assert response.content == b""
        assert not models.Subscription.objects.exists()
        assert not models.Delivery.objects.exists()
        assert_problem(partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/"), 404, "not-found")
        assert deliveries(partner) == []

    def test_deleting_twice_is_not_found(self, partner: Partner) -> None:
        created = subscription(partner)
        partner.client.delete(f"{SUBSCRIPTIONS}{created['id']}/")

        assert_problem(partner.client.delete(f"{SUBSCRIPTIONS}{created['id']}/"), 404, "not-found")


# ---------------------------------------------------------------- ownership


class TestOwnership:
    @pytest.fixture
    def theirs(self, other: Partner) -> dict[str, Any]:
        return subscription(other, format="cloudevents")

    @pytest.mark.parametrize("whose", ["another partner's", "nobody's"])
    @pytest.mark.parametrize(
        ("method", "suffix", "body"),
        [
            ("get", "", None),
            ("patch", "", {"is_active": False, "url": "https://mine.example/"}),
            ("delete", "", None),
            ("post", "rotate-secret/", None),
            ("post", "test/", None),
            ("get", "deliveries/", None),
        ],
    )
    def test_a_subscription_not_the_partners_own_is_not_found(
        self,
        partner: Partner,
        theirs: dict[str, Any],
        network: Network,
        django_capture_on_commit_callbacks: Capture,
        whose: str,
        method: str,
        suffix: str,
        body: Any,
    ) -> None:
        subscription_id = theirs["id"] if whose == "another partner's" else str(uuid4())
        path = f"{SUBSCRIPTIONS}{subscription_id}/{suffix}"
        call = getattr(partner.client, method)
        with django_capture_on_commit_callbacks(execute=True):
            response = call(path, body, format="json") if body else call(path)

        assert_problem(response, 404, "not-found")
        row = models.Subscription.objects.get(id=theirs["id"])
        assert (row.url, row.is_active, row.secret) == (URL, True, theirs["secret"])
        assert not row.previous_secret
        assert not models.Delivery.objects.exists()
        assert network.sender.sent == []

    def test_another_partners_deliveries_are_never_listed(
        self,
        partner: Partner,
        other: Partner,
        theirs: dict[str, Any],
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        mine = subscription(partner)
        own = send_test_event(partner, mine["id"], django_capture_on_commit_callbacks)
        send_test_event(other, theirs["id"], django_capture_on_commit_callbacks)
        send_test_event(other, theirs["id"], django_capture_on_commit_callbacks)

        assert [d["id"] for d in deliveries(partner)] == [own["id"]]
        assert partner.client.get(DELIVERIES).json()["count"] == 1
        assert len(deliveries(other)) == 2

    def test_another_partners_delivery_cannot_be_redelivered(
        self,
        partner: Partner,
        other: Partner,
        theirs: dict[str, Any],
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        delivered = send_test_event(other, theirs["id"], django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            response = partner.client.post(f"{DELIVERIES}{delivered['id']}/redeliver/")

        assert_problem(response, 404, "not-found")
        assert len(network.sender.sent) == 1
        assert deliveries(other)[0]["attempts"] == 1


# ---------------------------------------------------------------- secrets


class TestRotateSecret:
    def test_returns_a_new_secret_in_full_then_masks_it(self, partner: Partner) -> None:
        created = subscription(partner)
        response = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/")

        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == SUBSCRIPTION_FIELDS
        assert body["secret"].startswith("whsec_")
        assert body["secret"] != created["secret"]
        assert body == {**created, "secret": body["secret"]}
        read = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()
        assert read["secret"] == masked(body["secret"])
        row = models.Subscription.objects.get(id=created["id"])
        assert (row.secret, row.previous_secret) == (body["secret"], created["secret"])
        assert row.previous_secret_expires_at > timezone.now() + timedelta(hours=23)

    def test_before_a_rotation_one_secret_signs(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        created = subscription(partner)
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        [(_, headers, body)] = network.sender.sent
        assert len(headers["webhook-signature"].split(" ")) == 1
        assert verifies(created["secret"], headers, body)
        assert not verifies(signing.new_secret(), headers, body)

    def test_after_a_rotation_both_secrets_sign(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        created = subscription(partner, format="legacy-xml")
        old = created["secret"]
        new = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/").json()["secret"]
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        [(_, headers, body)] = network.sender.sent
        signatures = headers["webhook-signature"].split(" ")
        assert len(signatures) == 2
        assert all(signature.startswith("v1,") for signature in signatures)
        # A partner verifies with whichever secret it holds, mid-switch or after.
        assert verifies(old, headers, body)
        assert verifies(new, headers, body)
        assert not verifies(signing.new_secret(), headers, body)
        # Newest first: each signature belongs to one secret.
        newest, previous = signatures
        assert verifies(new, {**headers, "webhook-signature": newest}, body)
        assert verifies(old, {**headers, "webhook-signature": previous}, body)
        assert not verifies(old, {**headers, "webhook-signature": newest}, body)

    def test_the_old_secret_stops_signing_when_its_overlap_ends(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        created = subscription(partner)
        new = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/rotate-secret/").json()["secret"]
        models.Subscription.objects.filter(id=created["id"]).update(
            previous_secret_expires_at=timezone.now() - timedelta(seconds=1)
        )
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        [(_, headers, body)] = network.sender.sent
        assert len(headers["webhook-signature"].split(" ")) == 1
        assert verifies(new, headers, body)
        assert not verifies(created["secret"], headers, body)


# ---------------------------------------------------------------- test events


class TestTestEvent:
    @pytest.mark.parametrize("format", FORMATS)
    def test_is_accepted_then_sent_signed_after_commit(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
        format: str,
    ) -> None:
        created = subscription(partner, format=format)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = partner.client.post(f"{SUBSCRIPTIONS}{created['id']}/test/")
            assert network.sender.sent == []  # nothing leaves before the commit

        assert response.status_code == 202, response.content
        accepted = response.json()
        assert set(accepted) >= DELIVERY_FIELDS
        assert accepted["event_type"] == "portside.test"
        assert accepted["status"] == "pending"
        assert accepted["attempts"] == 0
        assert accepted["webhook_id"].startswith("msg_")
        assert len(callbacks) == 1
        [(url, headers, body)] = network.sender.sent
        assert url == URL
        assert headers["content-type"] == CONTENT_TYPES[format]
        assert headers["webhook-id"] == accepted["webhook_id"]
        assert abs(int(headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
        assert verifies(created["secret"], headers, body)
        assert payload_type(format, body) == TEST_EVENT_TYPES[format]
        [listed] = deliveries(partner)
        assert listed["id"] == accepted["id"]
        assert (listed["status"], listed["attempts"], listed["last_status_code"]) == (
            "delivered",
            1,
            200,
        )


# ---------------------------------------------------------------- deliveries


class TestDeliveries:
    def test_the_shape_of_a_delivered_one(
        self, partner: Partner, django_capture_on_commit_callbacks: Capture
    ) -> None:
        created = subscription(partner)
        accepted = send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        response = partner.client.get(DELIVERIES)

        assert response.status_code == 200
        page = response.json()
        assert set(page) == {"count", "next", "previous", "results"}
        [listed] = page["results"]
        assert DELIVERY_FIELDS | {"attempt_log"} <= set(listed)
        assert listed["id"] == accepted["id"]
        assert listed["webhook_id"] == accepted["webhook_id"]
        assert listed["event_type"] == "portside.test"
        assert listed["status"] == "delivered"
        assert listed["attempts"] == 1
        assert listed["last_status_code"] == 200
        assert listed["next_attempt_at"] is None
        delivered_at = datetime.fromisoformat(listed["delivered_at"])
        assert abs(delivered_at - datetime.now(UTC)) < timedelta(minutes=1)
        [attempt] = listed["attempt_log"]
        assert set(attempt) == ATTEMPT_FIELDS
        assert attempt["number"] == 1
        assert attempt["status_code"] == 200
        assert attempt["duration_ms"] == 3
        assert attempt["error"] == ""
        assert attempt["response_excerpt"] == "ok"
        assert datetime.fromisoformat(attempt["attempted_at"]) == delivered_at

    def test_a_failed_one_waits_for_its_retry(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        network.sender.script = [500]
        created = subscription(partner)
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        [listed] = deliveries(partner)
        assert listed["status"] == "pending"
        assert listed["attempts"] == 1
        assert listed["last_status_code"] == 500
        assert listed["delivered_at"] is None
        [attempt] = listed["attempt_log"]
        assert (attempt["status_code"], attempt["response_excerpt"]) == (500, "oops")
        wait = datetime.fromisoformat(listed["next_attempt_at"]) - datetime.fromisoformat(
            attempt["attempted_at"]
        )
        assert timedelta(seconds=4.5) <= wait <= timedelta(seconds=5.5)  # 5 s ± 10 % jitter

    def test_a_connection_failure_keeps_its_error(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        network.sender.script = [None]
        created = subscription(partner)
        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        [listed] = deliveries(partner)
        assert listed["status"] == "pending"
        assert listed["last_status_code"] is None
        assert listed["attempt_log"][0]["error"] == "ConnectionError: refused"

    def test_newest_first_paginated_and_per_subscription(
        self, partner: Partner, django_capture_on_commit_callbacks: Capture
    ) -> None:
        first, second = subscription(partner), subscription(partner, format="cloudevents")
        sent = [
            send_test_event(partner, s["id"], django_capture_on_commit_callbacks)["id"]
            for s in (first, second, first)
        ]

        page = partner.client.get(DELIVERIES, {"page_size": 2}).json()
        assert page["count"] == 3
        rest = partner.client.get(page["next"]).json()
        assert [d["id"] for d in page["results"] + rest["results"]] == sent[::-1]
        assert [
            d["id"] for d in deliveries(partner, f"{SUBSCRIPTIONS}{first['id']}/deliveries/")
        ] == [sent[2], sent[0]]
        assert [
            d["id"] for d in deliveries(partner, f"{SUBSCRIPTIONS}{second['id']}/deliveries/")
        ] == [sent[1]]

    def test_bad_page_parameters_are_a_400(self, partner: Partner) -> None:
        response = partner.client.get(DELIVERIES, {"page_size": 0})

        problem = assert_problem(response, 400, "invalid-parameters")
        assert [error["parameter"] for error in problem["errors"]] == ["page_size"]


class TestRedeliver:
    def test_sends_the_same_webhook_again(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        created = subscription(partner, format="cloudevents")
        delivered = send_test_event(partner, created["id"], django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            response = partner.client.post(f"{DELIVERIES}{delivered['id']}/redeliver/")
            assert len(network.sender.sent) == 1  # not before the commit

        assert response.status_code == 202, response.content
        assert response.json()["id"] == delivered["id"]
        assert response.json()["status"] == "pending"
        first, again = network.sender.sent
        assert again[1]["webhook-id"] == first[1]["webhook-id"] == delivered["webhook_id"]
        assert again[2] == first[2]  # the same body
        assert verifies(created["secret"], again[1], again[2])
        [listed] = deliveries(partner)
        assert (listed["status"], listed["attempts"]) == ("delivered", 2)
        assert [a["number"] for a in listed["attempt_log"]] == [1, 2]

    def test_a_dead_delivery_comes_back_to_life(
        self,
        partner: Partner,
        network: Network,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        network.sender.script = [503]
        created = subscription(partner)
        delivered = send_test_event(partner, created["id"], django_capture_on_commit_callbacks)
        models.Delivery.objects.filter(id=delivered["id"]).update(
            status="dead", next_attempt_at=None
        )
        with django_capture_on_commit_callbacks(execute=True):
            response = partner.client.post(f"{DELIVERIES}{delivered['id']}/redeliver/")

        assert response.status_code == 202
        [listed] = deliveries(partner)
        assert (listed["status"], listed["attempts"], listed["last_status_code"]) == (
            "delivered",
            2,
            200,
        )

    def test_an_unknown_delivery_is_not_found(self, partner: Partner) -> None:
        response = partner.client.post(f"{DELIVERIES}{uuid4()}/redeliver/")

        assert_problem(response, 404, "not-found")


# ---------------------------------------------------------------- query budgets


def make_deliveries(subscription_id: str, number: int) -> None:
    """`number` deliveries with two attempts each, straight into the tables."""
    now = timezone.now()
    rows = models.Delivery.objects.bulk_create(
        models.Delivery(
            webhook_id=f"msg_{uuid4().hex}",
            subscription_id=subscription_id,
            event_type="booking.held",
            content_type="application/json",
            body="{}",
            status="delivered",
            delivered_at=now,
            created_at=now - timedelta(seconds=index),
        )
        for index in range(number)
    )
    models.DeliveryAttempt.objects.bulk_create(
        models.DeliveryAttempt(
            delivery=row, number=n, attempted_at=now, status_code=code, duration_ms=5
        )
        for row in rows
        for n, code in ((1, 500), (2, 200))
    )


class TestQueryBudgets:
    @pytest.mark.parametrize("page_size", [1, 5, 25, 100])
    def test_the_subscription_list_costs_a_fixed_number_of_queries(
        self,
        partner: Partner,
        other: Partner,
        django_assert_num_queries: Any,
        page_size: int,
    ) -> None:
        for index in range(30):
            subscription(partner, format=FORMATS[index % 3])
        subscription(other)

        with django_assert_num_queries(SUBSCRIPTION_LIST_QUERIES):
            response = partner.client.get(SUBSCRIPTIONS, {"page_size": page_size})

        assert response.json()["count"] == 30
        assert len(response.json()["results"]) == min(page_size, 30)

    @pytest.mark.parametrize("page_size", [1, 5, 25, 100])
    def test_the_delivery_list_costs_a_fixed_number_of_queries(
        self,
        partner: Partner,
        other: Partner,
        django_assert_num_queries: Any,
        page_size: int,
    ) -> None:
        make_deliveries(subscription(partner)["id"], 20)
        make_deliveries(subscription(partner)["id"], 10)
        make_deliveries(subscription(other)["id"], 10)

        with django_assert_num_queries(DELIVERY_LIST_QUERIES):
            response = partner.client.get(DELIVERIES, {"page_size": page_size})

        body = response.json()
        assert body["count"] == 30
        assert len(body["results"]) == min(page_size, 30)
        assert all(d["attempts"] == 2 for d in body["results"])

    @pytest.mark.parametrize("page_size", [1, 5, 25, 100])
    def test_a_subscriptions_delivery_list_costs_a_fixed_number_of_queries(
        self,
        partner: Partner,
        django_assert_num_queries: Any,
        page_size: int,
    ) -> None:
        mine = subscription(partner)["id"]
        make_deliveries(mine, 30)
        make_deliveries(subscription(partner)["id"], 10)

        with django_assert_num_queries(SUBSCRIPTION_DELIVERY_LIST_QUERIES):
            response = partner.client.get(
                f"{SUBSCRIPTIONS}{mine}/deliveries/", {"page_size": page_size}
            )

        assert response.json()["count"] == 30
        assert len(response.json()["results"]) == min(page_size, 30)


# ---------------------------------------------------------------- payload options


OPTIONS = {
    "minor_units": True,
    "fields": ["reference", "total"],
    "rename": {"type": "event", "data": "payload"},
}
NO_OPTIONS = {"minor_units": False, "fields": [], "rename": {}}


class TestPayloadOptions:
    def patch(self, partner: Partner, subscription_id: str, body: Any) -> Response:
        return partner.client.patch(f"{SUBSCRIPTIONS}{subscription_id}/", body, format="json")

    def test_a_subscription_has_none_unless_asked(self, partner: Partner) -> None:
        assert subscription(partner)["payload_options"] == NO_OPTIONS

    def test_options_are_stored_and_read_back(self, partner: Partner) -> None:
        created = subscription(partner, payload_options=OPTIONS)

        assert created["payload_options"] == OPTIONS
        read = partner.client.get(f"{SUBSCRIPTIONS}{created['id']}/").json()
        assert read["payload_options"] == OPTIONS
        assert models.Subscription.objects.get(id=created["id"]).payload_options == OPTIONS

    def test_options_left_out_take_their_defaults(self, partner: Partner) -> None:
        created = subscription(partner, payload_options={"minor_units": True})

        assert created["payload_options"] == {**NO_OPTIONS, "minor_units": True}

    def test_a_change_replaces_the_options_whole_and_leaves_the_rest(
        self, partner: Partner
    ) -> None:
        created = subscription(partner, payload_options=OPTIONS, format="cloudevents")

        response = self.patch(partner, created["id"], {"payload_options": {"fields": ["status"]}})

        assert response.status_code == 200, response.content
        assert response.json()["payload_options"] == {**NO_OPTIONS, "fields": ["status"]}
        assert response.json()["format"] == "cloudevents"
        unchanged = self.patch(partner, created["id"], {"is_active": False})
        assert unchanged.json()["payload_options"] == {**NO_OPTIONS, "fields": ["status"]}

    def test_a_test_event_comes_shaped_by_the_options(
        self, partner: Partner, django_capture_on_commit_callbacks: Capture
    ) -> None:
        created = subscription(partner, payload_options=OPTIONS)

        send_test_event(partner, created["id"], django_capture_on_commit_callbacks)

        body = json.loads(models.Delivery.objects.get().body)
        assert body["event"] == "portside.test"
        assert body["payload"]["message"] == "A test event from Portside."
        assert "type" not in body

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
        self, partner: Partner, options: dict[str, Any], pointer: str
    ) -> None:
        problem = assert_problem(
            subscribe(partner, payload_options=options), 422, "invalid-request"
        )

        assert pointers(problem) == [pointer]
        assert not models.Subscription.objects.exists()

    def test_a_bad_change_leaves_the_options_as_they_were(self, partner: Partner) -> None:
        created = subscription(partner, payload_options=OPTIONS)

        response = self.patch(partner, created["id"], {"payload_options": {"fields": ["nope"]}})

        assert pointers(assert_problem(response, 422, "invalid-request")) == [
            "#/payload_options/fields/0"
        ]
        assert models.Subscription.objects.get(id=created["id"]).payload_options == OPTIONS

    @pytest.mark.parametrize(
        ("options", "pointer"),
        [
            ("minor", "#/payload_options"),
            ({"minor_units": "perhaps"}, "#/payload_options/minor_units"),
            ({"fields": "reference"}, "#/payload_options/fields"),
            ({"rename": ["type", "event"]}, "#/payload_options/rename"),
            ({"rename": {"type": 7}}, "#/payload_options/rename/type"),  # not "7"
            ({"minor_units": 1}, "#/payload_options/minor_units"),  # not true
            ({"fields": [3]}, "#/payload_options/fields/0"),
        ],
    )
    def test_options_of_the_wrong_shape_are_a_400(
        self, partner: Partner, options: Any, pointer: str
    ) -> None:
        problem = assert_problem(
            subscribe(partner, payload_options=options), 400, "invalid-request"
        )

        assert pointer in pointers(problem)
