"""Bookings under real concurrency: many transactions at once on PostgreSQL.

Each test starts its threads together on a `threading.Barrier`; every thread works
through its own database connection (Django opens one per thread) and closes it when
done. The tests use committed data (`transaction=True`), so the threads see the rows
the test created and each other's commits.

SQLite serialises every writer, so these prove nothing there and are skipped; CI runs
them on PostgreSQL.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from adapters.api.models import IdempotencyKey
from adapters.booking import models as booking_models
from adapters.catalog import models as catalog_models
from application.booking.cancel_booking import CancelBookingCommand
from application.booking.expire_holds import ExpireHoldsCommand
from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from config.container import container
from domain.booking.booking import Booking
from domain.booking.errors import IllegalTransition
from domain.catalog.errors import NotEnoughSeats
from tests.factories.orm import SlotRowFactory
from tests.fakes.clock import FixedClock

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrency needs PostgreSQL's row locks; SQLite serialises every writer",
    ),
    pytest.mark.django_db(transaction=True),
]

BARRIER_TIMEOUT = 30  # seconds for every thread to reach the start line
JOIN_TIMEOUT = 60  # seconds for every thread to finish


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_together(workers: int, work: Callable[[int], Any]) -> list[Outcome]:
    """Run `work(0)` … `work(workers - 1)` in as many threads, released all at once."""
    barrier = threading.Barrier(workers)
    outcomes = [Outcome() for _ in range(workers)]

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            outcomes[index].value = work(index)
        except BaseException as error:  # reported to the test, which fails on it
            outcomes[index].error = error
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def customers(number: int, prefix: str) -> list[Any]:
    """Customers without passwords (no slow hashing)."""
    model = get_user_model()
    return [
        model.objects.create_user(username=f"{prefix}{index}@example.com")
        for index in range(number)
    ]


def hold(customer_id: int, *lines: tuple[catalog_models.Slot, int]) -> Booking:
    command = HoldSeatsCommand(
        customer_id, tuple(HoldLine(slot.id, seats) for slot, seats in lines)
    )
    return container.hold_seats()(command)


def assert_seats_add_up(
    slot: catalog_models.Slot, booked_beforehand: int = 0
) -> catalog_models.Slot:
    """The slot's counters match the live bookings on it (plus seats the test booked
    directly on the row), within capacity."""
    slot.refresh_from_db()
    lines = booking_models.BookingLine.objects.filter(slot=slot)
    held = sum(line.seats for line in lines.filter(booking__status="held"))
    booked = sum(line.seats for line in lines.filter(booking__status="confirmed"))
    assert (slot.seats_held, slot.seats_booked) == (held, booked_beforehand + booked)
    assert 0 <= slot.seats_held + slot.seats_booked <= slot.capacity
    return slot


def report(capsys: pytest.CaptureFixture[str], line: str) -> None:
    """Print past pytest's capture, so CI logs show the figures."""
    with capsys.disabled():
        print(f"\n{line}")  # noqa: T201


def test_fifty_customers_race_for_the_last_ten_seats(capsys: pytest.CaptureFixture[str]) -> None:
    slot = SlotRowFactory(capacity=50, seats_booked=40)
    racers = customers(50, "racer")

    started = time.perf_counter()
    outcomes = run_together(50, lambda index: hold(racers[index].pk, (slot, 1)))
    elapsed = time.perf_counter() - started

    held = [outcome.value for outcome in outcomes if outcome.ok]
    refused = [outcome.error for outcome in outcomes if isinstance(outcome.error, NotEnoughSeats)]
    unexpected = [
        outcome.error
        for outcome in outcomes
        if outcome.error and not isinstance(outcome.error, NotEnoughSeats)
    ]
    report(capsys, f"50-way race: {len(held)} held, {len(refused)} refused in {elapsed:.2f}s")
    assert unexpected == []
    assert (len(held), len(refused)) == (10, 40)
    assert len({booking.reference for booking in held}) == 10
    assert len({booking.customer_id for booking in held}) == 10
    slot = assert_seats_add_up(slot, booked_beforehand=40)
    assert (slot.seats_held, slot.seats_booked, slot.capacity) == (10, 40, 50)
    assert booking_models.Booking.objects.filter(status="held").count() == 10


def test_holds_over_the_same_slots_in_opposite_orders_never_deadlock(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pairs = 20
    # Exactly enough seats for everyone: 1 in east and 2 in west per hold.
    east, west = SlotRowFactory(capacity=2 * pairs), SlotRowFactory(capacity=4 * pairs)
    racers = customers(2 * pairs, "crosser")

    def work(index: int) -> Booking:
        lines = ((east, 1), (west, 2)) if index % 2 == 0 else ((west, 2), (east, 1))
        return hold(racers[index].pk, *lines)

    started = time.perf_counter()
    outcomes = run_together(2 * pairs, work)
    elapsed = time.perf_counter() - started

    errors = [outcome.error for outcome in outcomes if outcome.error]
    report(
        capsys,
        f"crossed holds: {2 * pairs - len(errors)} of {2 * pairs} held, "
        f"{sum(isinstance(e, OperationalError) for e in errors)} deadlocks in {elapsed:.2f}s",
    )
    assert errors == []  # no DeadlockDetected (an OperationalError), nor anything else
    assert assert_seats_add_up(east).seats_held == 2 * pairs
    assert assert_seats_add_up(west).seats_held == 4 * pairs
    assert booking_models.Booking.objects.count() == 2 * pairs


def test_concurrent_requests_with_one_idempotency_key_make_one_booking() -> None:
    slot = SlotRowFactory(capacity=10)
    (customer,) = customers(1, "retrier")
    token = Token.objects.create(user=customer).key
    body = {"lines": [{"slot_id": str(slot.id), "seats": 2}]}

    def post(_: int) -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post(
            "/api/v1/bookings/", body, format="json", headers={"Idempotency-Key": "double-tap"}
        )

    outcomes = run_together(10, post)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    responses = [outcome.value for outcome in outcomes]
    assert [response.status_code for response in responses] == [201] * 10
    assert len({response.json()["reference"] for response in responses}) == 1
    assert len({response.content for response in responses}) == 1
    assert sum("Idempotent-Replayed" in response for response in responses) == 9
    assert booking_models.Booking.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    assert assert_seats_add_up(slot).seats_held == 2


def lapsed_hold(customer_id: int, slot: catalog_models.Slot, seats: int = 2) -> Booking:
    """A hold made an hour ago, so it lapsed long since."""
    clock = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    with container.clock.override(providers.Object(clock)):
        return hold(customer_id, (slot, seats))


def test_expiry_and_cancellation_of_one_lapsed_hold_release_its_seats_once(
    capsys: pytest.CaptureFixture[str],
) -> None:
    slot = SlotRowFactory(capacity=10)
    (customer,) = customers(1, "dawdler")
    rounds, expired_first, cancelled_first = 20, 0, 0

    for number in range(rounds):
        booking = lapsed_hold(customer.pk, slot)
        assert assert_seats_add_up(slot).seats_held == 2
        # Left alone the customer usually wins (the sweep looks before it locks); on
        # every other round the customer hesitates a little, so both orders get played.
        hesitation = 0.002 * (number % 4) if number % 2 else 0.0

        def work(index: int, reference: str = booking.reference, pause: float = hesitation) -> Any:
            if index == 0:
                return container.expire_holds()(ExpireHoldsCommand()).expired
            time.sleep(pause)
            return container.cancel_booking()(CancelBookingCommand(reference, customer.pk))

        sweep, cancel = run_together(2, work)

        assert sweep.ok, sweep.error
        status = booking_models.Booking.objects.get(id=booking.id).status
        if sweep.value == 1:  # the sweep won: the customer is told it is too late
            assert isinstance(cancel.error, IllegalTransition), cancel.error
            assert status == "expired"
            expired_first += 1
        else:  # the customer won: the sweep finds nothing left to do
            assert sweep.value == 0
            assert cancel.ok, cancel.error
            assert cancel.value.status.value == "cancelled"
            assert status == "cancelled"
            cancelled_first += 1
        assert assert_seats_add_up(slot).seats_held == 0

    report(
        capsys,
        f"expire vs cancel: {expired_first} expired first, {cancelled_first} cancelled first "
        f"in {rounds} rounds",
    )


def test_two_sweeps_at_once_expire_each_hold_once() -> None:
    slot = SlotRowFactory(capacity=10)
    (customer,) = customers(1, "sleeper")
    for _ in range(5):
        lapsed_hold(customer.pk, slot)

    outcomes = run_together(4, lambda _: container.expire_holds()(ExpireHoldsCommand()).expired)

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    assert sum(outcome.value for outcome in outcomes) == 5
    assert booking_models.Booking.objects.filter(status="expired").count() == 5
    assert assert_seats_add_up(slot).seats_held == 0


IN_FLIGHT = 40  # sessions at once: PostgreSQL's default max_connections is 100


def test_two_hundred_customers_over_http_for_ten_seats_never_oversell(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """200 holds through the whole HTTP stack (middleware, token auth, DRF, the use case,
    the unit of work), `IN_FLIGHT` at a time, all released together."""
    slot = SlotRowFactory(capacity=10)
    tokens = [Token.objects.create(user=customer).key for customer in customers(200, "crowd")]
    body = {"lines": [{"slot_id": str(slot.id), "seats": 1}]}
    waiting = list(range(len(tokens)))
    taken = threading.Lock()

    def post(token: str) -> Any:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post("/api/v1/bookings/", body, format="json")

    def work(_: int) -> list[Any]:
        answered = []
        while True:
            with taken:
                if not waiting:
                    return answered
                index = waiting.pop()
            answered.append(post(tokens[index]))

    started = time.perf_counter()
    outcomes = run_together(IN_FLIGHT, work)
    elapsed = time.perf_counter() - started

    assert [outcome.error for outcome in outcomes if outcome.error] == []
    responses = [response for outcome in outcomes for response in outcome.value]
    statuses = sorted(response.status_code for response in responses)
    report(
        capsys,
        f"200 holds over HTTP for 10 seats, {IN_FLIGHT} at a time: "
        f"{statuses.count(201)} held, {statuses.count(409)} refused in {elapsed:.2f}s",
    )
    assert statuses == [201] * 10 + [409] * 190
    refusals = [response.json() for response in responses if response.status_code == 409]
    assert {problem["type"] for problem in refusals} == {"/problems/not-enough-seats"}
    held = [response.json() for response in responses if response.status_code == 201]
    assert len({booking["reference"] for booking in held}) == 10
    slot = assert_seats_add_up(slot)
    assert (slot.seats_held, slot.seats_booked) == (10, 0)
    assert booking_models.Booking.objects.count() == 10
    assert booking_models.BookingLine.objects.filter(slot=slot).count() == 10
