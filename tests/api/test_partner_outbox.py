"""The transactional outbox, through the real booking API: a booking change writes its
partner deliveries in its own transaction, and they leave only after it commits.

A hold or a cancel goes through `POST /api/v1/bookings/…` as a customer would; the
booking unit of work records the deliveries before it commits. pytest-django wraps each
test in a transaction that never commits, so the unit of work's own transaction is a
savepoint here and the after-commit callbacks are run by
`django_capture_on_commit_callbacks(execute=True)`. The network is faked.
"""

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from cloudevents.core.bindings.http import HTTPMessage, from_http_event
from dependency_injector import providers
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.response import Response
from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from adapters.partners import models
from adapters.partners.auth import new_partner
from adapters.partners.formatters import FORMATTERS
from adapters.partners.tasks import sweep_deliveries
from application.partners.ports import PartnerEvent
from config.container import container
from tests.factories.orm import SlotRowFactory
from tests.fakes.partners import FixedResolver, ScriptedSender

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings/"
SUBSCRIPTIONS = "/api/v1/partners/subscriptions/"
FORMATS = ["standard-webhooks", "cloudevents", "legacy-xml"]
CONTENT_TYPES = {
    "standard-webhooks": "application/json",
    "cloudevents": "application/cloudevents+json",
    "legacy-xml": "application/xml",
}

Capture = Callable[..., Any]  # the django_capture_on_commit_callbacks fixture


# ---------------------------------------------------------------- helpers and fixtures


@pytest.fixture(autouse=True)
def sender() -> Iterator[ScriptedSender]:
    """No network: a fake sender records each request, every host resolves publicly."""
    fake = ScriptedSender()
    with (
        container.webhook_sender.override(providers.Object(fake)),
        container.address_resolver.override(providers.Object(FixedResolver())),
    ):
        yield fake


@dataclass
class Partner:
    row: models.Partner
    client: APIClient

    def subscribe(self, format: str, **fields: Any) -> dict[str, Any]:
        body = {"url": f"https://{format}.partner.example/hook", "format": format, **fields}
        response = self.client.post(SUBSCRIPTIONS, body, format="json")
        assert response.status_code == 201, response.content
        return dict(response.json())


@pytest.fixture
def partner() -> Partner:
    row, key = new_partner("Harbour Tours")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return Partner(row, client)


@pytest.fixture
def every_format(partner: Partner) -> dict[str, dict[str, Any]]:
    """One subscription per format, each to every event (no event types given)."""
    return {format: partner.subscribe(format) for format in FORMATS}


@pytest.fixture
def slot() -> catalog_models.Slot:
    """Ten seats at 25.00 EUR, 30 days ahead, on a published listing."""
    return SlotRowFactory()


def hold(customer: APIClient, slot: catalog_models.Slot, seats: int) -> Response:
    body = {"lines": [{"slot_id": str(slot.id), "seats": seats}]}
    return customer.post(BOOKINGS, body, format="json")


def seats_held(slot: catalog_models.Slot) -> int:
    slot.refresh_from_db()
    return slot.seats_held


def deliveries(**filters: Any) -> dict[str, models.Delivery]:
    """Delivery rows by the format of their subscription."""
    rows = models.Delivery.objects.filter(**filters).select_related("subscription")
    found: dict[str, models.Delivery] = {}
    for row in rows:
        assert row.subscription.format not in found, "two deliveries for one format"
        found[row.subscription.format] = row
    return found


def read(format: str, body: str) -> tuple[str, dict[str, str]]:
    """What a partner reads from a payload: the event type, the booking's reference and
    status. Each format is parsed as a partner would: JSON, CloudEvents, XML."""
    if format == "standard-webhooks":
        envelope = json.loads(body)
        assert set(envelope) == {"type", "timestamp", "data"}
        return envelope["type"], envelope["data"]
    if format == "cloudevents":
        message = HTTPMessage(headers={"content-type": CONTENT_TYPES[format]}, body=body.encode())
        event = from_http_event(message)
        assert event.get_specversion() == "1.0"
        assert event.get_source() == "/portside/bookings"
        data = event.get_data()
        assert isinstance(data, dict)
        assert event.get_subject() == data["reference"]
        return event.get_type().removeprefix("com.portside."), data
    root = ET.fromstring(body)  # noqa: S314 - our own output
    assert root.tag == "event"
    data_element = root.find("data")
    assert data_element is not None
    return root.attrib["type"], {
        child.tag: child.text or ""
        for child in data_element
        if child.tag in {"reference", "status"}
    }


# ---------------------------------------------------------------- the outbox


class TestHold:
    def test_writes_one_delivery_per_subscription_and_sends_them_after_commit(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
        sender: ScriptedSender,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = hold(customer, slot, 2)
            # Written, not sent: nothing leaves before the booking commits.
            written = deliveries()
            assert sender.sent == []
            assert all(row.status == "pending" for row in written.values())
            assert not models.DeliveryAttempt.objects.exists()

        assert response.status_code == 201, response.content
        reference = response.json()["reference"]
        assert set(written) == set(FORMATS)
        # One relay for the whole transaction, queued on commit (beside the message bus).
        assert [c for c in callbacks if c == sweep_deliveries.delay] == [sweep_deliveries.delay]
        for format, row in written.items():
            assert str(row.subscription_id) == every_format[format]["id"]
            assert row.event_type == "booking.held"
            assert row.content_type == CONTENT_TYPES[format]
            event_type, data = read(format, row.body)
            assert event_type == "booking.held"
            assert (data["reference"], data["status"]) == (reference, "held")

        # After the commit: each sent once, to its own URL, signed with its own secret.
        assert len(sender.sent) == len(FORMATS)
        by_url = {url: (headers, body) for url, headers, body in sender.sent}
        for format, row in written.items():
            headers, body = by_url[every_format[format]["url"]]
            assert headers["webhook-id"] == row.webhook_id
            assert headers["content-type"] == CONTENT_TYPES[format]
            assert body == row.body
            Webhook(every_format[format]["secret"]).verify(body, headers, json_parse=False)
            row.refresh_from_db()
            assert row.status == "delivered"

    def test_the_deliveries_are_written_inside_the_bookings_transaction(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
    ) -> None:
        with CaptureQueriesContext(connection) as queries:
            assert hold(customer, slot, 1).status_code == 201

        statements = [query["sql"] for query in queries.captured_queries]
        booking_insert = index_of(statements, r'INSERT INTO "booking_booking" .*')
        delivery_inserts = [
            i
            for i, sql in enumerate(statements)
            if sql.startswith('INSERT INTO "partners_delivery"')
        ]
        assert len(delivery_inserts) == len(FORMATS)
        # The unit of work's transaction is the first block the request opens (a savepoint
        # inside the test's transaction): booking and deliveries commit or roll back in it.
        begin = index_of(statements, r'SAVEPOINT "?\w+"?')
        name = statements[begin].removeprefix("SAVEPOINT ").strip('"')
        end = index_of(statements, rf'RELEASE SAVEPOINT "?{name}"?', start=begin)
        assert begin < booking_insert < min(delivery_inserts) <= max(delivery_inserts) < end
        assert not any(
            re.fullmatch(rf'ROLLBACK TO SAVEPOINT "?{name}"?', sql) for sql in statements[begin:end]
        )

    def test_a_refused_hold_writes_none(
        self,
        customer: APIClient,
        every_format: dict[str, dict[str, Any]],
        sender: ScriptedSender,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        full = SlotRowFactory(capacity=10, seats_held=6, seats_booked=2)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = hold(customer, full, 3)

        assert response.status_code == 409
        assert not models.Delivery.objects.exists()
        assert callbacks == []
        assert sender.sent == []

    def test_a_paused_or_filtered_subscription_gets_none(
        self,
        partner: Partner,
        customer: APIClient,
        slot: catalog_models.Slot,
        sender: ScriptedSender,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        partner.subscribe("cloudevents", is_active=False)
        partner.subscribe("legacy-xml", event_types=["booking.cancelled"])
        wanted = partner.subscribe("standard-webhooks", event_types=["booking.held"])
        with django_capture_on_commit_callbacks(execute=True):
            assert hold(customer, slot, 1).status_code == 201

        assert list(deliveries()) == ["standard-webhooks"]
        assert str(deliveries()["standard-webhooks"].subscription_id) == wanted["id"]
        assert [url for url, _, _ in sender.sent] == [wanted["url"]]

    def test_a_paused_partner_gets_none(
        self,
        partner: Partner,
        every_format: dict[str, dict[str, Any]],
        customer: APIClient,
        slot: catalog_models.Slot,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        models.Partner.objects.filter(id=partner.row.id).update(is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert hold(customer, slot, 1).status_code == 201

        assert not models.Delivery.objects.exists()


class TestCancel:
    def test_writes_booking_cancelled_deliveries(
        self,
        partner: Partner,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
        sender: ScriptedSender,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        partner.subscribe("cloudevents", event_types=["booking.held"])  # not cancellations
        cancellations = partner.subscribe("legacy-xml", event_types=["booking.cancelled"])
        partner.subscribe("standard-webhooks", is_active=False)
        with django_capture_on_commit_callbacks(execute=True):
            reference = hold(customer, slot, 2).json()["reference"]
        sender.sent.clear()

        with django_capture_on_commit_callbacks(execute=True):
            response = customer.post(f"{BOOKINGS}{reference}/cancel/")

        assert response.status_code == 200, response.content
        cancelled = models.Delivery.objects.filter(event_type="booking.cancelled")
        assert {str(row.subscription_id) for row in cancelled} == {
            *(s["id"] for s in every_format.values()),
            cancellations["id"],
        }
        for row in cancelled:
            event_type, data = read(row.subscription.format, row.body)
            assert event_type == "booking.cancelled"
            assert (data["reference"], data["status"]) == (reference, "cancelled")
        assert sorted(headers["webhook-id"] for _, headers, _ in sender.sent) == sorted(
            row.webhook_id for row in cancelled
        )

    def test_a_refused_cancel_writes_none(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            reference = hold(customer, slot, 2).json()["reference"]
            customer.post(f"{BOOKINGS}{reference}/cancel/")
        before = models.Delivery.objects.count()

        again = customer.post(f"{BOOKINGS}{reference}/cancel/")

        assert again.status_code == 409
        assert models.Delivery.objects.count() == before


class ExplodingFormatter:
    """A format whose rendering fails: the outbox raises inside the booking transaction."""

    content_type = "application/json"

    def envelope(self, event: PartnerEvent) -> dict[str, Any]:
        raise RuntimeError("the formatter broke")

    def serialize(self, envelope: Mapping[str, Any]) -> str:
        raise AssertionError("never reached")


class TestRollback:
    @pytest.fixture
    def broken_outbox(self) -> Iterator[None]:
        broken = {name: ExplodingFormatter() for name in FORMATTERS}
        with container.payload_formatters.override(providers.Object(broken)):
            yield

    def test_a_failing_outbox_rolls_the_booking_back_and_sends_nothing(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
        broken_outbox: None,
        sender: ScriptedSender,
        django_capture_on_commit_callbacks: Capture,
    ) -> None:
        customer.raise_request_exception = False
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = hold(customer, slot, 2)

        assert response.status_code == 500
        assert response["Content-Type"] == "application/problem+json"
        assert not booking_models.Booking.objects.exists()
        assert not booking_models.BookingLine.objects.exists()
        assert seats_held(slot) == 0
        assert not models.Delivery.objects.exists()
        # Nothing is sent (nor published) for a change that rolled back.
        assert callbacks == []
        assert sender.sent == []

    def test_the_error_is_not_swallowed(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        every_format: dict[str, dict[str, Any]],
        broken_outbox: None,
    ) -> None:
        with pytest.raises(RuntimeError, match="the formatter broke"):
            hold(customer, slot, 2)

        assert not booking_models.Booking.objects.exists()

    def test_without_subscriptions_the_outbox_renders_nothing_and_the_hold_succeeds(
        self,
        customer: APIClient,
        slot: catalog_models.Slot,
        broken_outbox: None,
    ) -> None:
        assert hold(customer, slot, 2).status_code == 201
        assert seats_held(slot) == 2


def index_of(statements: list[str], pattern: str, start: int = 0) -> int:
    """The index of the first statement from `start` on that matches `pattern` in full."""
    return next(
        i
        for i, sql in enumerate(statements)
        if i >= start and re.fullmatch(pattern, sql, re.DOTALL)
    )
