"""The sandbox payment flow over real HTTP, end to end.

pytest-django's `live_server` serves the whole app (the shop and, under /sandbox/,
the sandbox provider with its own database) in a thread. The test drives it with
`requests` as a client would: hold seats, check out, pay through the sandbox's API
twin or its pay page, and wait (polling, bounded) for the sandbox's signed webhook to
confirm the booking. The shop reaches the sandbox over HTTP and the sandbox posts its
webhooks back over HTTP from its own background thread: nothing is called directly.

SQLite and PostgreSQL. On SQLite this module runs its live server on file copies of
the test databases (see `live_server` below), so every thread has a connection of its
own as in production.
"""

import json
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from dependency_injector import providers
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connections
from pytest_django.live_server_helper import LiveServer
from rest_framework.authtoken.models import Token

from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from adapters.payments.sandbox import SandboxGateway
from application.booking.handle_payment_event import HandlePaymentEvent
from config.container import container
from domain.booking.payments import PaymentEvent
from outside.payment_sandbox.models import SandboxEvent, SandboxPayment, SandboxRefund
from outside.payment_sandbox.signing import HEADER as SANDBOX_SIGNATURE
from outside.payment_sandbox.signing import sign
from tests.factories.orm import SlotRowFactory

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "sandbox"])

WAIT_SECONDS = 10.0  # the most any one wait may take; each polls every POLL_SECONDS
POLL_SECONDS = 0.05
HTTP_TIMEOUT = 10.0
DELIVERY_THREAD = "(_deliver_in_thread)"  # how Python names the sandbox's delivery threads


def eventually[T](check: Callable[[], T], what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() >= deadline:
            raise AssertionError(f"still waiting after {timeout:.0f} s for {what}")
        time.sleep(POLL_SECONDS)


# ---------------------------------------------------------------- the shop, as a client sees it


@dataclass
class Shop:
    url: str
    http: requests.Session  # authenticated as the customer

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(f"{self.url}{path}", json=body, timeout=HTTP_TIMEOUT)

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}{path}", timeout=HTTP_TIMEOUT)

    def hold(self, slot: catalog_models.Slot, seats: int = 2) -> dict[str, Any]:
        response = self.post(
            "/api/v1/bookings/", {"lines": [{"slot_id": str(slot.id), "seats": seats}]}
        )
        assert response.status_code == 201, response.text
        return response.json()

    def checkout(self, reference: str) -> dict[str, Any]:
        response = self.post(f"/api/v1/bookings/{reference}/checkout/")
        assert response.status_code == 200, response.text
        return response.json()

    def booking(self, reference: str) -> dict[str, Any]:
        response = self.get(f"/api/v1/bookings/{reference}/")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_status(self, reference: str, status: str) -> dict[str, Any]:
        return eventually(
            lambda: (booking := self.booking(reference))["status"] == status and booking,
            f"booking {reference} to be {status}",
        )

    def sandbox(self, path: str, body: dict[str, Any]) -> requests.Response:
        """The sandbox provider's own API, with its API key (not the customer's token)."""
        return requests.post(
            f"{self.url}/sandbox/api/{path}",
            json=body,
            headers={"Authorization": f"Bearer {django_settings.PAYMENTS_SANDBOX_API_KEY}"},
            timeout=HTTP_TIMEOUT,
        )

    def read_payment(self, payment_id: str, api_key: str | None = None) -> requests.Response:
        """The sandbox's record of a payment, as its operator reads it."""
        key = api_key or django_settings.PAYMENTS_SANDBOX_API_KEY
        return requests.get(
            f"{self.url}/sandbox/api/payments/{payment_id}/",
            headers={"Authorization": f"Bearer {key}"},
            timeout=HTTP_TIMEOUT,
        )

    def pay(self, payment_id: str, outcome: str = "pay") -> dict[str, Any]:
        response = self.sandbox(f"payments/{payment_id}/pay/", {"outcome": outcome})
        assert response.status_code == 200, response.text
        return response.json()

    def resend(self, payment_id: str, order: str) -> list[str]:
        response = self.sandbox(f"payments/{payment_id}/resend/", {"order": order})
        assert response.status_code == 200, response.text
        resent: list[str] = response.json()["resent"]
        return resent


def sqlite_to_disk(folder: Path) -> list[tuple[Any, str, sqlite3.Connection]]:
    """Move SQLite test databases from memory to files; what `sqlite_back_to_memory` undoes.

    In memory, the live server hands the test's one SQLite connection to every request
    thread, so a webhook and a page view arriving together share it ("database table is
    locked"). On disk each thread has its own connection and SQLite's locks queue the
    writers, as in production. A second connection keeps each in-memory database alive
    meanwhile, for the tests that follow.
    """
    moved = []
    for alias in ("default", "sandbox"):
        connection = connections[alias]
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            continue
        in_memory = connection.settings_dict["NAME"]
        keeper = sqlite3.connect(in_memory, uri=True, check_same_thread=False)
        path = folder / f"{alias}.sqlite3"
        with closing(sqlite3.connect(path)) as disk:
            keeper.backup(disk)
        connection.settings_dict["NAME"] = str(path)  # every thread's connection reads this
        connection.close()  # the in-memory one: the next query opens the file
        moved.append((connection, in_memory, keeper))
    return moved


def sqlite_back_to_memory(moved: list[tuple[Any, str, sqlite3.Connection]]) -> None:
    for connection, in_memory, keeper in moved:
        connection.close()
        connection.settings_dict["NAME"] = in_memory
        connection.ensure_connection()
        keeper.close()


@pytest.fixture(scope="module")
def live_server(
    request: pytest.FixtureRequest,
    django_db_setup: None,
    django_db_blocker: Any,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[LiveServer]:
    """pytest-django's live server, started for this module once SQLite is on disk.

    Overrides the plugin's session-wide `live_server`, which would share an in-memory
    SQLite connection between threads (see `sqlite_to_disk`). On PostgreSQL nothing moves.
    """
    with django_db_blocker.unblock():
        moved = sqlite_to_disk(tmp_path_factory.mktemp("sandbox-flow"))
    server = LiveServer(
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    try:
        assert not server.thread.connections_override  # every thread connects on its own
        yield server
    finally:
        server.stop()
        with django_db_blocker.unblock():
            sqlite_back_to_memory(moved)


def delivery_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.endswith(DELIVERY_THREAD)]


@pytest.fixture
def shop(live_server: LiveServer, settings: Any) -> Iterator[Shop]:
    """The app under `live_server`, paying through the sandbox served by the same server.

    The sandbox gateway is given the live server's URLs by overriding its provider: the
    container's `setting(...)` providers read a copy of the settings taken when the
    container was built, so a settings override would not reach them.
    """
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.CELERY_BROKER_URL = ""  # deliver webhooks from the sandbox's own thread
    gateway = SandboxGateway(
        base_url=f"{live_server.url}/sandbox",
        api_key=settings.PAYMENTS_SANDBOX_API_KEY,
        webhook_url=f"{live_server.url}/webhooks/payments/sandbox/",
        return_url=f"{live_server.url}/health/?booking={{reference}}",
    )
    customer = get_user_model().objects.create_user(username="sandbox-flow@example.com")
    http = requests.Session()
    http.headers["Authorization"] = f"Token {Token.objects.create(user=customer).key}"
    try:
        with container.sandbox_gateway.override(providers.Object(gateway)):
            yield Shop(live_server.url, http)
            # Let every delivery in flight finish before the tables are emptied under it.
            eventually(lambda: not delivery_threads(), "the sandbox's deliveries to finish")
    finally:
        http.close()


@pytest.fixture
def slot() -> catalog_models.Slot:
    """Ten seats at 25.00 EUR, 30 days ahead, on a published listing refunding 100% until 48 h."""
    return SlotRowFactory(capacity=10)


def seats(slot: catalog_models.Slot) -> tuple[int, int]:
    slot.refresh_from_db()
    return slot.seats_held, slot.seats_booked


def events_of(payment_id: str) -> list[SandboxEvent]:
    return list(SandboxEvent.objects.filter(payment_id=payment_id).order_by("created_at", "id"))


def delivered(payment_id: str, count: int, attempts: int = 1) -> list[SandboxEvent]:
    """Wait until the payment has `count` events, each delivered after `attempts` attempts."""

    def check() -> list[SandboxEvent]:
        events = events_of(payment_id)
        done = len(events) == count and all(
            event.delivered_at is not None and event.attempts >= attempts for event in events
        )
        return events if done else []

    return eventually(check, f"{count} event(s) of {payment_id} delivered ({attempts} attempts)")


def inbox(payment_id: str) -> list[tuple[str, str, str]]:
    """What the shop's inbox holds for a payment: (event id, kind, outcome), oldest first."""
    return [
        (row.event_id, row.kind, row.outcome)
        for row in booking_models.ProviderEvent.objects.filter(
            provider="sandbox", payment_id=payment_id
        ).order_by("received_at", "id")
    ]


# ---------------------------------------------------------------- the happy paths


def test_paying_through_the_sandbox_api_confirms_the_booking(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    held = shop.hold(slot, seats=2)
    assert held["status"] == "held"
    assert held["total"] == {"amount": "50.00", "currency": "EUR"}

    checkout = shop.checkout(held["reference"])

    assert checkout["provider"] == "sandbox"
    assert checkout["amount"] == {"amount": "50.00", "currency": "EUR"}
    assert checkout["pay_url"] == f"{shop.url}/sandbox/pay/{checkout['payment_id']}/"
    assert shop.checkout(held["reference"]) == checkout  # a pending payment is picked up again
    payment = SandboxPayment.objects.get(id=checkout["payment_id"])
    assert payment.metadata["reference"] == held["reference"]
    assert payment.webhook_url == f"{shop.url}/webhooks/payments/sandbox/"

    paid = shop.pay(checkout["payment_id"])

    assert paid["status"] == "succeeded"
    confirmed = shop.wait_for_status(held["reference"], "confirmed")
    assert confirmed["total"] == held["total"]
    assert seats(slot) == (0, 2)
    [event] = delivered(checkout["payment_id"], count=1)
    assert (event.type, event.attempts, event.last_status_code) == ("payment.succeeded", 1, 200)
    assert inbox(checkout["payment_id"]) == [(event.id, "payment.succeeded", "confirmed")]


def test_the_sandbox_api_wants_its_api_key(shop: Shop, slot: catalog_models.Slot) -> None:
    checkout = shop.checkout(shop.hold(slot)["reference"])

    response = requests.post(
        f"{shop.url}/sandbox/api/payments/{checkout['payment_id']}/pay/",
        json={"outcome": "pay"},
        headers={"Authorization": "Bearer sk_sandbox_wrong"},
        timeout=HTTP_TIMEOUT,
    )

    assert response.status_code == 401
    assert SandboxPayment.objects.get(id=checkout["payment_id"]).status == "pending"


def test_the_sandbox_api_reads_a_payment_back_with_what_was_refunded(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    reference = shop.hold(slot)["reference"]
    payment_id = shop.checkout(reference)["payment_id"]
    pending = shop.read_payment(payment_id).json()
    assert (pending["status"], pending["amount"], pending["refunded"]) == (
        "pending",
        "50.00",
        "0.00",
    )
    assert pending["metadata"]["reference"] == reference
    shop.pay(payment_id)
    shop.wait_for_status(reference, "confirmed")

    assert shop.post(f"/api/v1/bookings/{reference}/cancel/").status_code == 200  # 100% back

    refunded = shop.read_payment(payment_id).json()
    assert (refunded["status"], refunded["refunded"]) == ("succeeded", "50.00")
    assert shop.read_payment(payment_id, api_key="sk_sandbox_wrong").status_code == 401
    assert shop.read_payment("pay_unknown").status_code == 404


def test_a_provider_that_refuses_the_checkout_is_a_502_and_nothing_changes(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    """The sandbox answers 401 to a wrong API key: a refusal, which trying again would
    only repeat, so not the 503-with-Retry-After of a provider that did not answer."""
    reference = shop.hold(slot)["reference"]
    wrong_key = SandboxGateway(
        base_url=f"{shop.url}/sandbox",
        api_key="sk_sandbox_wrong",
        webhook_url=f"{shop.url}/webhooks/payments/sandbox/",
        return_url=f"{shop.url}/health/?booking={{reference}}",
    )

    with container.sandbox_gateway.override(providers.Object(wrong_key)):
        response = shop.post(f"/api/v1/bookings/{reference}/checkout/")

    assert response.status_code == 502
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/payment-refused"
    assert "sk_sandbox" not in response.text  # the provider's words stay in the log
    assert "Retry-After" not in response.headers
    assert shop.booking(reference)["status"] == "held"
    assert not booking_models.BookingPayment.objects.exists()
    assert not SandboxPayment.objects.exists()


def test_the_pay_page_shows_the_amount_and_paying_there_confirms_the_booking(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    held = shop.hold(slot, seats=3)
    checkout = shop.checkout(held["reference"])
    browser = requests.Session()  # a customer's browser: cookies, no API token

    page = browser.get(checkout["pay_url"], timeout=HTTP_TIMEOUT)

    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert "75.00 EUR" in page.text
    assert f"Portside booking {held['reference']}" in page.text
    assert re.search(r'<button[^>]*value="pay"[^>]*>Pay</button>', page.text)
    assert re.search(r'<button[^>]*value="decline"[^>]*>Decline</button>', page.text)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text

    forged = requests.post(checkout["pay_url"], data={"action": "pay"}, timeout=HTTP_TIMEOUT)
    assert forged.status_code == 403  # the form is CSRF-protected
    assert SandboxPayment.objects.get(id=checkout["payment_id"]).status == "pending"

    submitted = browser.post(
        checkout["pay_url"],
        data={"csrfmiddlewaretoken": token.group(1), "action": "pay"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )

    assert submitted.status_code == 302  # back to the shop's return URL
    assert submitted.headers["Location"] == f"{shop.url}/health/?booking={held['reference']}"
    shop.wait_for_status(held["reference"], "confirmed")
    assert seats(slot) == (0, 3)
    after = browser.get(checkout["pay_url"], timeout=HTTP_TIMEOUT)
    assert 'class="status">succeeded<' in after.text
    assert 'value="pay"' not in after.text  # nothing left to click
    delivered(checkout["payment_id"], count=1)


# ---------------------------------------------------------------- declines, duplicates, order


def test_a_declined_payment_leaves_the_booking_held_and_a_new_checkout_starts_a_new_payment(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    reference = shop.hold(slot)["reference"]
    first = shop.checkout(reference)

    assert shop.pay(first["payment_id"], outcome="decline")["status"] == "failed"

    [declined] = delivered(first["payment_id"], count=1)
    assert declined.type == "payment.failed"
    assert inbox(first["payment_id"]) == [(declined.id, "payment.failed", "failed")]
    assert shop.booking(reference)["status"] == "held"
    assert seats(slot) == (2, 0)

    second = shop.checkout(reference)

    assert second["payment_id"] != first["payment_id"]
    assert second["pay_url"] != first["pay_url"]
    shop.pay(second["payment_id"])
    shop.wait_for_status(reference, "confirmed")
    assert seats(slot) == (0, 2)
    delivered(second["payment_id"], count=1)
    statuses = booking_models.BookingPayment.objects.filter(booking__reference=reference)
    assert sorted(statuses.values_list("payment_id", "status")) == sorted(
        [(first["payment_id"], "failed"), (second["payment_id"], "succeeded")]
    )


def test_a_duplicate_delivery_changes_nothing(shop: Shop, slot: catalog_models.Slot) -> None:
    reference = shop.hold(slot)["reference"]
    payment_id = shop.checkout(reference)["payment_id"]
    shop.pay(payment_id)
    confirmed = shop.wait_for_status(reference, "confirmed")
    [event] = delivered(payment_id, count=1)

    assert shop.resend(payment_id, order="original") == [event.id]

    [event] = delivered(payment_id, count=1, attempts=2)  # answered 2xx a second time
    assert event.last_status_code == 200
    assert shop.booking(reference) == confirmed
    assert seats(slot) == (0, 2)
    assert inbox(payment_id) == [(event.id, "payment.succeeded", "confirmed")]  # once


def test_events_resent_in_reverse_order_after_a_refund_change_nothing(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    reference = shop.hold(slot)["reference"]
    payment_id = shop.checkout(reference)["payment_id"]
    shop.pay(payment_id)
    shop.wait_for_status(reference, "confirmed")
    delivered(payment_id, count=1)

    cancel = shop.post(f"/api/v1/bookings/{reference}/cancel/")

    assert cancel.status_code == 200, cancel.text
    cancelled = cancel.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["refund"] == {"amount": "50.00", "currency": "EUR", "percent": 100}
    paid, refunded = delivered(payment_id, count=2)
    assert (paid.type, refunded.type) == ("payment.succeeded", "refund.succeeded")
    [refund] = SandboxRefund.objects.filter(payment_id=payment_id)
    assert refunded.payload["data"]["refund_id"] == refund.id
    before = inbox(payment_id)
    assert before == [
        (paid.id, "payment.succeeded", "confirmed"),
        (refunded.id, "refund.succeeded", "refund_settled"),
    ]
    assert seats(slot) == (0, 0)

    assert shop.resend(payment_id, order="reversed") == [refunded.id, paid.id]

    delivered(payment_id, count=2, attempts=2)
    assert shop.booking(reference) == cancelled
    assert seats(slot) == (0, 0)
    assert inbox(payment_id) == before
    assert SandboxRefund.objects.filter(payment_id=payment_id).count() == 1  # no second refund


# ---------------------------------------------------------------- delivery: retries, signatures


class FailingUntilReleased:
    """`handle_payment_event` that fails as a crashed shop would (500) until released."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.failures = 0
        self.successes = 0

    def __call__(self) -> Callable[[PaymentEvent], Any]:
        real = HandlePaymentEvent(
            uow=container.unit_of_work(),
            payments=container.payment_gateway(),
            clock=container.clock(),
        )

        def handle(event: PaymentEvent) -> Any:
            if not self.released.is_set():
                self.failures += 1
                raise RuntimeError("the shop fell over before it read the event")
            self.successes += 1
            return real(event)

        return handle


def test_a_webhook_the_shop_answers_500_to_is_retried_until_it_lands(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    reference = shop.hold(slot)["reference"]
    payment_id = shop.checkout(reference)["payment_id"]
    shop_down = FailingUntilReleased()

    with container.handle_payment_event.override(providers.Callable(shop_down)):
        shop.pay(payment_id)

        [failed] = eventually(
            lambda: [event for event in events_of(payment_id) if event.attempts],
            "the first delivery attempt",
        )
        assert (failed.last_status_code, failed.delivered_at) == (500, None)
        assert shop.booking(reference)["status"] == "held"
        shop_down.released.set()  # the next retry (1 s later, by the sandbox's schedule) lands

        [event] = delivered(payment_id, count=1, attempts=2)

    assert event.last_status_code == 200
    assert event.attempts == shop_down.failures + 1
    assert shop_down.successes == 1
    assert shop.booking(reference)["status"] == "confirmed"
    assert seats(slot) == (0, 2)
    assert inbox(payment_id) == [(event.id, "payment.succeeded", "confirmed")]


def test_a_webhook_with_a_forged_signature_is_refused_over_http(
    shop: Shop, slot: catalog_models.Slot
) -> None:
    reference = shop.hold(slot)["reference"]
    payment_id = shop.checkout(reference)["payment_id"]
    shop.pay(payment_id)
    shop.wait_for_status(reference, "confirmed")
    [event] = delivered(payment_id, count=1)
    forged = event.payload | {"id": "evt_forged", "type": "payment.failed"}
    body = json.dumps(forged).encode()

    response = requests.post(
        f"{shop.url}/webhooks/payments/sandbox/",
        data=body,
        headers={"Content-Type": "application/json", SANDBOX_SIGNATURE: sign(body, "whsec_guess")},
        timeout=HTTP_TIMEOUT,
    )

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/invalid-signature"
    assert shop.booking(reference)["status"] == "confirmed"
    assert [row[0] for row in inbox(payment_id)] == [event.id]
