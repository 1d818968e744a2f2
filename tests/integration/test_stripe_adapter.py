"""The Stripe adapter with the real `stripe` library, against a stand-in for Stripe's API.

The stand-in is a plain `ThreadingHTTPServer` on loopback: it records every request
(path, headers, form-encoded body) and answers JSON shaped like Stripe's, replaying
the first answer for an `Idempotency-Key` it has seen, as Stripe does. Nothing here
reaches the network.

Webhooks are signed by hand, the way Stripe documents `Stripe-Signature`
(`t=<unix time>,v1=<hex HMAC-SHA256 of "{t}.{payload}">`), and once with the
library's own helper, then parsed, and finally posted through the Django view.
"""

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID, uuid4

import pytest
import stripe
from dependency_injector import providers
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from adapters.payments.sandbox import SandboxWebhookParser
from adapters.payments.signatures import InvalidSignature
from adapters.payments.stripe import StripeGateway, StripeWebhookParser, stripe_gateway
from application.booking.ports import StartedPayment
from application.shared.errors import PaymentRefused, ServiceUnavailable
from config.container import container
from domain.booking.payments import PaymentEvent, PaymentEventKind
from domain.shared.money import Money
from tests.factories.orm import SlotRowFactory

WEBHOOK_SECRET = "whsec_test"
PAY_URL = "http://shop.invalid/pay/{reference}/"
WEBHOOK_PATH = "/webhooks/payments/stripe/"


# ---------------------------------------------------------------- the stand-in for Stripe


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    headers: dict[str, str]  # lower-case names
    form: dict[str, str]  # Stripe's bracketed keys as sent: "metadata[booking_id]"


@dataclass(frozen=True)
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class StripeStandIn:
    """What Stripe's API would answer; `script` queues answers to give before the usual ones."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.script: deque[Scripted] = deque()
        self._replies: dict[str, tuple[int, bytes]] = {}  # Idempotency-Key -> first answer
        self._lock = threading.Lock()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                recorded = Recorded(
                    method="POST",
                    path=self.path,
                    headers={name.lower(): value for name, value in self.headers.items()},
                    form=dict(parse_qsl(raw, keep_blank_values=True)),
                )
                status, body, headers = stand_in.answer(recorded)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Request-Id", f"req_{secrets.token_hex(6)}")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet: the test reads `requests` instead

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> "StripeStandIn":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def answer(self, recorded: Recorded) -> tuple[int, bytes, dict[str, str]]:
        with self._lock:
            self.requests.append(recorded)
            if self.script:
                scripted = self.script.popleft()
                return scripted.status, json.dumps(scripted.body).encode(), scripted.headers
            key = recorded.headers.get("idempotency-key", "")
            if key in self._replies:  # Stripe replays the first answer for a key it knows
                status, body = self._replies[key]
                return status, body, {"Idempotent-Replayed": "true"}
            status, data = self._create(recorded)
            body = json.dumps(data).encode()
            if key:
                self._replies[key] = (status, body)
            return status, body, {}

    def _create(self, recorded: Recorded) -> tuple[int, dict[str, Any]]:
        form = recorded.form
        metadata = {
            name[len("metadata[") : -1]: value
            for name, value in form.items()
            if name.startswith("metadata[")
        }
        if recorded.path == "/v1/payment_intents":
            intent_id = f"pi_{secrets.token_hex(8)}"
            return 200, {
                "id": intent_id,
                "object": "payment_intent",
                "amount": int(form["amount"]),
                "currency": form["currency"],
                "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
                "description": form.get("description"),
                "status": "requires_payment_method",
                "livemode": False,
                "metadata": metadata,
            }
        if recorded.path == "/v1/refunds":
            return 200, {
                "id": f"re_{secrets.token_hex(8)}",
                "object": "refund",
                "amount": int(form["amount"]),
                "currency": "eur",
                "payment_intent": form["payment_intent"],
                "status": "succeeded",
                "metadata": metadata,
            }
        return 404, stripe_error("invalid_request_error", f"Unrecognized URL {recorded.path}")

    def posts_to(self, path: str) -> list[Recorded]:
        return [request for request in self.requests if request.path == path]


def stripe_error(kind: str, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    return {"error": error}


@pytest.fixture
def stripe_api() -> Iterator[StripeStandIn]:
    with StripeStandIn() as stand_in:
        yield stand_in


@pytest.fixture
def gateway(stripe_api: StripeStandIn) -> StripeGateway:
    return stripe_gateway(secret_key="sk_test_x", api_base=stripe_api.url, pay_url=PAY_URL)


# ---------------------------------------------------------------- outgoing calls


@pytest.mark.parametrize(
    ("amount", "minor_units", "currency"),
    [(Money("25.00", "EUR"), "2500", "eur"), (Money("8500", "JPY"), "8500", "jpy")],
)
def test_a_payment_intent_is_created_in_minor_units_with_the_booking_in_metadata(
    gateway: StripeGateway,
    stripe_api: StripeStandIn,
    amount: Money,
    minor_units: str,
    currency: str,
) -> None:
    booking_id = uuid4()

    started = gateway.start_payment(
        amount=amount,
        idempotency_key="checkout-key-1",
        booking_id=booking_id,
        reference="PS-ABC123",
    )

    [sent] = stripe_api.requests
    assert sent.path == "/v1/payment_intents"
    assert sent.form["amount"] == minor_units
    assert sent.form["currency"] == currency
    assert sent.form["metadata[booking_id]"] == str(booking_id)
    assert sent.form["metadata[reference]"] == "PS-ABC123"
    assert sent.form["automatic_payment_methods[enabled]"] == "true"
    assert sent.headers["idempotency-key"] == "checkout-key-1"
    assert sent.headers["authorization"] == "Bearer sk_test_x"
    assert started.provider == "stripe"
    assert started.payment_id.startswith("pi_")
    assert started.pay_url == "http://shop.invalid/pay/PS-ABC123/"


def test_the_same_idempotency_key_twice_is_sent_twice_and_stripe_answers_the_same_intent(
    gateway: StripeGateway, stripe_api: StripeStandIn
) -> None:
    booking_id = uuid4()
    arguments = {
        "amount": Money("25.00", "EUR"),
        "idempotency_key": "checkout-same",
        "booking_id": booking_id,
        "reference": "PS-SAME01",
    }

    first = gateway.start_payment(**arguments)
    second = gateway.start_payment(**arguments)

    keys = [request.headers["idempotency-key"] for request in stripe_api.requests]
    assert keys == ["checkout-same", "checkout-same"]
    assert second == first  # deduplicated by Stripe, not by the adapter


def test_a_refund_names_the_payment_intent_and_the_amount_in_minor_units(
    gateway: StripeGateway, stripe_api: StripeStandIn
) -> None:
    refund_id = gateway.refund("pi_123", Money("12.50", "EUR"), idempotency_key="refund-b1")

    [sent] = stripe_api.requests
    assert sent.path == "/v1/refunds"
    assert sent.form == {"payment_intent": "pi_123", "amount": "1250"}
    assert sent.headers["idempotency-key"] == "refund-b1"
    assert refund_id.startswith("re_")


def start(gateway: StripeGateway) -> StartedPayment:
    return gateway.start_payment(
        amount=Money("25.00", "EUR"), idempotency_key="k-1", booking_id=uuid4(), reference="PS-1"
    )


def refund(gateway: StripeGateway) -> str:
    return gateway.refund("pi_123", Money("25.00", "EUR"), idempotency_key="k-1")


@pytest.mark.parametrize("call", [start, refund], ids=["payment_intent", "refund"])
@pytest.mark.parametrize(
    "scripted",
    [
        Scripted(402, stripe_error("card_error", "Your card was declined.", code="card_declined")),
        Scripted(401, stripe_error("invalid_request_error", "Invalid API Key provided.")),
        Scripted(400, stripe_error("invalid_request_error", "Amount must be at least 50 cents.")),
    ],
    ids=["402-card-error", "401-bad-key", "400-invalid-request"],
)
def test_a_stripe_refusal_is_payment_refused_not_a_service_to_retry(
    gateway: StripeGateway, stripe_api: StripeStandIn, call: Any, scripted: Scripted
) -> None:
    stripe_api.script.append(scripted)

    with pytest.raises(PaymentRefused, match=rf"Stripe refused the request \({scripted.status}\)"):
        call(gateway)

    assert len(stripe_api.requests) == 1


@pytest.mark.parametrize("call", [start, refund], ids=["payment_intent", "refund"])
def test_a_stripe_failure_it_says_not_to_retry_is_service_unavailable(
    gateway: StripeGateway, stripe_api: StripeStandIn, call: Any
) -> None:
    stripe_api.script.append(
        Scripted(
            500,
            stripe_error("api_error", "Something went wrong on Stripe's end."),
            {"Stripe-Should-Retry": "false"},
        )
    )

    with pytest.raises(ServiceUnavailable, match="Stripe did not answer"):
        call(gateway)

    assert len(stripe_api.requests) == 1  # an answer Stripe says not to retry is not retried


def test_a_500_is_retried_by_the_library_with_the_same_idempotency_key(
    gateway: StripeGateway, stripe_api: StripeStandIn
) -> None:
    stripe_api.script.append(Scripted(500, stripe_error("api_error", "Try again.")))

    started = start(gateway)

    keys = [request.headers["idempotency-key"] for request in stripe_api.requests]
    assert keys == ["k-1", "k-1"]
    assert started.payment_id.startswith("pi_")


def test_an_unreachable_stripe_is_service_unavailable() -> None:
    with StripeStandIn() as stand_in:
        url = stand_in.url  # a port that was open a moment ago and is closed now
    client = stripe.StripeClient("sk_test_x", max_network_retries=0, base_addresses={"api": url})

    with pytest.raises(ServiceUnavailable):
        start(StripeGateway(client, PAY_URL))


# ---------------------------------------------------------------- webhooks: Stripe-Signature


def stripe_signature(payload: bytes, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """`Stripe-Signature` as Stripe documents it, built by hand."""
    timestamp = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def stripe_event(event_type: str, obj: dict[str, Any], created: int | None = None) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{secrets.token_hex(8)}",
            "object": "event",
            "api_version": "2025-01-27.acacia",
            "created": int(time.time()) if created is None else created,
            "livemode": False,
            "type": event_type,
            "data": {"object": obj},
        }
    ).encode()


def payment_intent(
    booking_id: UUID | None, amount: int = 2500, currency: str = "eur", **extra: Any
) -> dict[str, Any]:
    return {
        "id": f"pi_{secrets.token_hex(8)}",
        "object": "payment_intent",
        "amount": amount,
        "currency": currency,
        "status": "succeeded",
        "metadata": {"booking_id": str(booking_id), "reference": "PS-ABC123"} if booking_id else {},
        **extra,
    }


def parse(body: bytes, header: str | None) -> PaymentEvent:
    headers = {"Stripe-Signature": header} if header is not None else {}
    return StripeWebhookParser(secret=WEBHOOK_SECRET).parse(body, headers)


def test_payment_intent_succeeded_is_a_succeeded_payment_for_the_booking() -> None:
    booking_id = uuid4()
    created = int(time.time()) - 5
    intent = payment_intent(booking_id)
    body = stripe_event("payment_intent.succeeded", intent, created=created)

    event = parse(body, stripe_signature(body))

    assert event == PaymentEvent(
        provider="stripe",
        event_id=json.loads(body)["id"],
        kind=PaymentEventKind.PAYMENT_SUCCEEDED,
        payment_id=intent["id"],
        amount=Money("25.00", "EUR"),
        booking_id=booking_id,
        occurred_at=datetime.fromtimestamp(created, UTC),
        refund_id=None,
    )


def test_amounts_come_back_from_minor_units_in_each_currency() -> None:
    body = stripe_event("payment_intent.succeeded", payment_intent(uuid4(), 8500, "jpy"))

    assert parse(body, stripe_signature(body)).amount == Money(Decimal(8500), "JPY")


def test_payment_intent_payment_failed_is_a_failed_payment() -> None:
    booking_id = uuid4()
    intent = payment_intent(booking_id, status="requires_payment_method")
    body = stripe_event("payment_intent.payment_failed", intent)

    event = parse(body, stripe_signature(body))

    assert event.kind is PaymentEventKind.PAYMENT_FAILED
    assert event.payment_id == intent["id"]
    assert event.booking_id == booking_id
    assert event.refund_id is None


def test_refund_created_is_a_settled_refund_of_its_payment_intent() -> None:
    refund = {
        "id": "re_3Nabc",
        "object": "refund",
        "amount": 1250,
        "currency": "eur",
        "payment_intent": "pi_3Nabc",
        "status": "succeeded",
        "metadata": {},
    }
    body = stripe_event("refund.created", refund)

    event = parse(body, stripe_signature(body))

    assert event.kind is PaymentEventKind.REFUND_SUCCEEDED
    assert event.payment_id == "pi_3Nabc"
    assert event.refund_id == "re_3Nabc"
    assert event.amount == Money("12.50", "EUR")
    assert event.booking_id is None  # found by its payment instead


@pytest.mark.parametrize(
    ("event_type", "obj"),
    [
        ("payment_intent.created", payment_intent(uuid4(), status="requires_payment_method")),
        ("customer.created", {"id": "cus_123", "object": "customer", "metadata": {}}),
    ],
)
def test_an_event_type_portside_does_not_act_on_has_no_kind(
    event_type: str, obj: dict[str, Any]
) -> None:
    body = stripe_event(event_type, obj)

    event = parse(body, stripe_signature(body))

    assert event.kind is None
    assert event.event_id == json.loads(body)["id"]


def test_the_header_stripes_own_library_builds_verifies_and_matches_the_hand_built_one() -> None:
    body = stripe_event("payment_intent.succeeded", payment_intent(uuid4()))
    now = int(time.time())

    header = stripe.WebhookSignature.generate_signature_header(
        body.decode(), WEBHOOK_SECRET, timestamp=now
    )

    assert header == stripe_signature(body, at=now)
    assert parse(body, header).kind is PaymentEventKind.PAYMENT_SUCCEEDED


def test_a_signature_within_the_tolerance_verifies() -> None:
    body = stripe_event("payment_intent.succeeded", payment_intent(uuid4()))

    event = parse(body, stripe_signature(body, at=int(time.time()) - 240))

    assert event.kind is PaymentEventKind.PAYMENT_SUCCEEDED


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param(lambda body: None, id="no-header"),
        pytest.param(lambda body: "", id="empty-header"),
        pytest.param(lambda body: stripe_signature(body, secret="whsec_other"), id="wrong-secret"),
        pytest.param(lambda body: stripe_signature(body + b" "), id="tampered-body"),
        pytest.param(lambda body: stripe_signature(body, at=int(time.time()) - 301), id="stale"),
        pytest.param(lambda body: "t=abc,v1=def", id="malformed"),
        pytest.param(lambda body: stripe_signature(body).replace("v1=", "v0="), id="no-v1"),
    ],
)
def test_a_bad_missing_or_stale_signature_is_refused(sign: Callable[[bytes], str | None]) -> None:
    body = stripe_event("payment_intent.succeeded", payment_intent(uuid4()))

    with pytest.raises(InvalidSignature):
        parse(body, sign(body))


# ---------------------------------------------------------------- through the Django view


@pytest.fixture
def stripe_webhooks() -> Iterator[None]:
    """The view's Stripe parser verifies with WEBHOOK_SECRET for the test."""
    parsers = providers.Dict(
        stripe=providers.Object(StripeWebhookParser(secret=WEBHOOK_SECRET)),
        sandbox=providers.Object(SandboxWebhookParser(secret="whsec_sandbox_unused")),
    )
    with container.webhook_parsers.override(parsers):
        yield


@pytest.fixture
def stripe_checkout(gateway: StripeGateway) -> Iterator[StripeGateway]:
    """Checkout starts PaymentIntents at the stand-in, through the real Stripe adapter."""
    with container.payment_gateway.override(providers.Object(gateway)):
        yield gateway


@dataclass
class HeldBooking:
    reference: str
    id: UUID
    slot: catalog_models.Slot
    payment_id: str


@pytest.fixture
def held(stripe_checkout: StripeGateway, stripe_api: StripeStandIn) -> HeldBooking:
    """Two seats held at 25.00 EUR each, with a PaymentIntent started by checkout."""
    customer = get_user_model().objects.create_user(username="stripe@example.com")
    client = APIClient()
    client.force_authenticate(customer)
    slot = SlotRowFactory(capacity=10, price_amount=Decimal("25.00"))
    hold = client.post(
        "/api/v1/bookings/", {"lines": [{"slot_id": str(slot.id), "seats": 2}]}, format="json"
    )
    assert hold.status_code == 201, hold.content
    reference = hold.json()["reference"]
    checkout = client.post(f"/api/v1/bookings/{reference}/checkout/")
    assert checkout.status_code == 200, checkout.content
    assert checkout.json()["provider"] == "stripe"
    assert checkout.json()["pay_url"] == f"http://shop.invalid/pay/{reference}/"
    [sent] = stripe_api.posts_to("/v1/payment_intents")
    assert sent.form["amount"] == "5000"
    row = booking_models.Booking.objects.get(reference=reference)
    return HeldBooking(reference, row.id, slot, checkout.json()["payment_id"])


def post_webhook(body: bytes, header: str) -> Any:
    return APIClient().post(
        WEBHOOK_PATH, body, content_type="application/json", headers={"Stripe-Signature": header}
    )


def succeeded_for(booking: HeldBooking) -> bytes:
    intent = payment_intent(booking.id, amount=5000)
    intent["id"] = booking.payment_id
    return stripe_event("payment_intent.succeeded", intent)


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_webhooks")
def test_a_signed_payment_intent_succeeded_confirms_the_held_booking(held: HeldBooking) -> None:
    body = succeeded_for(held)

    response = post_webhook(body, stripe_signature(body))

    assert response.status_code == 200, response.content
    assert response.json() == {"received": True, "outcome": "confirmed"}
    assert booking_models.Booking.objects.get(id=held.id).status == "confirmed"
    held.slot.refresh_from_db()
    assert (held.slot.seats_held, held.slot.seats_booked) == (0, 2)
    [inbox] = booking_models.ProviderEvent.objects.filter(provider="stripe")
    assert (inbox.event_id, inbox.outcome) == (json.loads(body)["id"], "confirmed")

    replay = post_webhook(body, stripe_signature(body))

    assert replay.status_code == 200
    assert replay.json()["outcome"] == "duplicate"
    held.slot.refresh_from_db()
    assert held.slot.seats_booked == 2
    assert booking_models.ProviderEvent.objects.filter(provider="stripe").count() == 1


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_webhooks")
@pytest.mark.parametrize(
    "sign",
    [
        lambda body: stripe_signature(body, secret="whsec_wrong"),
        lambda body: stripe_signature(body, at=int(time.time()) - 301),
        lambda body: stripe_signature(b"{}"),
    ],
    ids=["wrong-secret", "stale", "other-body"],
)
def test_a_badly_signed_webhook_is_400_and_changes_nothing(held: HeldBooking, sign: Any) -> None:
    body = succeeded_for(held)

    response = post_webhook(body, sign(body))

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/invalid-signature"
    assert booking_models.Booking.objects.get(id=held.id).status == "held"
    held.slot.refresh_from_db()
    assert (held.slot.seats_held, held.slot.seats_booked) == (2, 0)
    assert not booking_models.ProviderEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_webhooks")
def test_a_webhook_without_a_signature_is_400(held: HeldBooking) -> None:
    response = APIClient().post(WEBHOOK_PATH, succeeded_for(held), content_type="application/json")

    assert response.status_code == 400
    assert booking_models.Booking.objects.get(id=held.id).status == "held"
    assert not booking_models.ProviderEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("stripe_webhooks")
def test_an_unknown_stripe_event_is_acknowledged_and_filed(held: HeldBooking) -> None:
    body = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})

    response = post_webhook(body, stripe_signature(body))

    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert booking_models.Booking.objects.get(id=held.id).status == "held"
