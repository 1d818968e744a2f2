"""1,000 provider events, replayed and shuffled, posted at once: each applied once.

A payment provider delivers at least once, in any order, and retries whatever it did
not see answered. This test builds real signed sandbox webhook events for 115 bookings
in five stories, adds duplicates of them until there are 1,000, shuffles them and posts
them all to `POST /webhooks/payments/sandbox/` from `THREADS` threads at once, through
the whole Django stack (each thread its own database connection). The payment gateway
is the in-memory fake, so refunds are counted without a network.

The stories, each with an end that no order of its events may change:
- paid: a declined payment, then another that succeeds: confirmed;
- declined: one declined payment: still held;
- paid twice: two payments succeed: confirmed by one, the other refunded in full;
- refunded: paid (before the replay), cancelled by the customer with a full refund,
  then the replay brings the payment again and the provider's refund.succeeded;
- paid too late: cancelled while held, then a payment succeeds: refunded in full.

PostgreSQL only (concurrent transactions); skipped on SQLite, always run in CI.
"""

import json
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from dependency_injector import providers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from adapters.booking import models as booking_models
from adapters.payments.sandbox import SIGNATURE_HEADER
from application.booking.cancel_booking import CancelBookingCommand
from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from config.container import container
from domain.shared.money import Money
from outside.payment_sandbox.signing import sign
from tests.factories.orm import SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

WEBHOOK = "/webhooks/payments/sandbox/"
EVENTS = 1000
THREADS = 8
SEATS = 2  # per booking, at 25.00 EUR: 50.00 EUR
TOTAL = "50.00"
STORIES = {"paid": 40, "declined": 20, "paid_twice": 25, "refunded": 15, "paid_too_late": 15}
SEED = 20261125


@dataclass(frozen=True)
class Event:
    event_id: str
    body: bytes

    def post(self, client: APIClient) -> Any:
        header = sign(self.body, settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET)
        return client.post(
            WEBHOOK, self.body, content_type="application/json", headers={SIGNATURE_HEADER: header}
        )


def event(kind: str, booking_id: uuid.UUID, payment_id: str, **extra: str) -> Event:
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {
        "id": event_id,
        "type": kind,
        "created": int(time.time()),
        "data": {
            "payment_id": payment_id,
            "amount": TOTAL,
            "currency": "EUR",
            "metadata": {"booking_id": str(booking_id)},
            **extra,
        },
    }
    return Event(event_id, json.dumps(payload).encode())


def payment_id() -> str:
    return f"pay_{uuid.uuid4().hex[:16]}"


@pytest.fixture
def gateway() -> Iterator[InMemoryPaymentGateway]:
    fake = InMemoryPaymentGateway()
    with container.payment_gateway.override(providers.Object(fake)):
        yield fake


def post_all(events: list[Event]) -> list[Any]:
    """Post every event from THREADS threads at once; the answers, in no order."""
    pending = list(events)
    answers: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(THREADS)

    def run() -> None:
        client = APIClient()
        try:
            barrier.wait(timeout=30)
            while True:
                with lock:
                    if not pending:
                        return
                    next_event = pending.pop()
                answer = next_event.post(client)
                with lock:
                    answers.append((next_event.event_id, answer))
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    assert errors == []
    return answers


def test_a_thousand_shuffled_replayed_events_are_each_applied_once(
    gateway: InMemoryPaymentGateway, capsys: pytest.CaptureFixture[str]
) -> None:
    slot = SlotRowFactory(capacity=1000)  # 30 days ahead, refunds 100% until 48 h before
    users = [
        get_user_model().objects.create_user(username=f"payer{index}@example.com")
        for index in range(sum(STORIES.values()))
    ]
    stories: dict[str, list[Any]] = {}
    unique: list[Event] = []
    expected: dict[str, str] = {}  # event id -> the inbox outcome it must end with
    payments_of: dict[str, tuple[str, str]] = {}  # booking reference -> its two payments
    client = APIClient()
    customers = iter(users)

    for story, count in STORIES.items():
        stories[story] = []
        for _ in range(count):
            customer = next(customers)
            booking = container.hold_seats()(
                HoldSeatsCommand(customer.pk, (HoldLine(slot.id, SEATS),))
            )
            stories[story].append(booking)
            first, second = payment_id(), payment_id()
            if story == "paid":
                declined = event("payment.failed", booking.id, first)
                paid = event("payment.succeeded", booking.id, second)
                unique += [declined, paid]
                expected |= {declined.event_id: "failed", paid.event_id: "confirmed"}
            elif story == "declined":
                declined = event("payment.failed", booking.id, first)
                unique.append(declined)
                expected[declined.event_id] = "failed"
            elif story == "paid_twice":
                one, other = (event("payment.succeeded", booking.id, p) for p in (first, second))
                unique += [one, other]
                payments_of[booking.reference] = (one.event_id, other.event_id)
            elif story == "refunded":
                paid = event("payment.succeeded", booking.id, first)
                assert paid.post(client).json()["outcome"] == "confirmed"  # before the replay
                container.cancel_booking()(CancelBookingCommand(booking.reference, customer.pk))
                refund = event(
                    "refund.succeeded",
                    booking.id,
                    first,
                    refund_id=f"re_refund-{booking.id}",  # the fake gateway's refund id
                    refund_amount=TOTAL,
                )
                unique += [paid, refund]
                expected |= {paid.event_id: "confirmed", refund.event_id: "refund_settled"}
            else:  # paid too late
                container.cancel_booking()(CancelBookingCommand(booking.reference, customer.pk))
                late = event("payment.succeeded", booking.id, first)
                unique.append(late)
                expected[late.event_id] = "returned"
    refunded_before = len(gateway.refunds)  # the cancellations' refunds
    recorded_before = booking_models.ProviderEvent.objects.count()
    shuffle = random.Random(SEED)
    replay = unique + [shuffle.choice(unique) for _ in range(EVENTS - len(unique))]
    shuffle.shuffle(replay)

    started = time.perf_counter()
    answers = post_all(replay)
    elapsed = time.perf_counter() - started

    assert len(answers) == EVENTS
    assert Counter(answer.status_code for _, answer in answers) == {200: EVENTS}
    outcomes = Counter(answer.json()["outcome"] for _, answer in answers)
    applied = len(unique) - recorded_before  # the refunded story's payments were seen before
    assert outcomes["duplicate"] == EVENTS - applied
    assert outcomes.total() - outcomes["duplicate"] == applied

    # The inbox: each event once, with the outcome its story gives it.
    inbox = dict(
        booking_models.ProviderEvent.objects.filter(provider="sandbox").values_list(
            "event_id", "outcome"
        )
    )
    assert booking_models.ProviderEvent.objects.count() == len(inbox) == len(unique)
    assert {event_id: inbox[event_id] for event_id in expected} == expected
    for one, other in payments_of.values():
        assert sorted([inbox[one], inbox[other]]) == ["confirmed", "returned"]

    # The bookings, the seats and the refunds.
    def statuses(story: str) -> set[str]:
        ids = [booking.id for booking in stories[story]]
        return set(
            booking_models.Booking.objects.filter(id__in=ids).values_list("status", flat=True)
        )

    assert statuses("paid") == statuses("paid_twice") == {"confirmed"}
    assert statuses("declined") == {"held"}
    assert statuses("refunded") == statuses("paid_too_late") == {"cancelled"}
    slot.refresh_from_db()
    assert slot.seats_held == SEATS * STORIES["declined"]
    assert slot.seats_booked == SEATS * (STORIES["paid"] + STORIES["paid_twice"])
    returns = STORIES["paid_twice"] + STORIES["paid_too_late"]
    assert len(gateway.refunds) - refunded_before == returns  # one per returned payment
    assert refunded_before == STORIES["refunded"]
    assert {amount for _, amount in gateway.refunds.values()} == {Money(TOTAL, "EUR")}  # in full

    with capsys.disabled():
        print(  # noqa: T201
            f"\n{EVENTS} shuffled events ({len(unique)} distinct, for "
            f"{sum(STORIES.values())} bookings) from {THREADS} threads in {elapsed:.1f}s "
            f"= {EVENTS / elapsed:.0f}/s: {dict(sorted(outcomes.items()))}; "
            f"{len(inbox)} inbox rows; {returns} payments refunded by webhook, "
            f"{refunded_before} refunds settled"
        )
