"""The driving adapters outside the URLconf: `manage.py expire_holds`, the Celery
tasks and the bookings admin. Each reaches its use case through the container's
wiring, so these prove the wiring as much as the behaviour. SQLite and PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from dependency_injector import providers
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from adapters.api import tasks as api_tasks
from adapters.api.models import IdempotencyKey
from adapters.booking import models as booking_models
from adapters.booking import tasks
from adapters.catalog import models as catalog_models
from application.booking.cancel_booking import CancelBookingCommand
from application.booking.hold_seats import HoldLine, HoldSeatsCommand
from config.container import container
from domain.booking.booking import Booking, Payment
from tests.confirm import confirm_in
from tests.factories.orm import SlotRowFactory
from tests.fakes.booking import InMemoryPaymentGateway
from tests.fakes.clock import FixedClock

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:booking_booking_changelist"


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """Every use case built by the container reads this clock until the test ends."""
    fixed = FixedClock(datetime.now(UTC).replace(microsecond=0))
    with container.clock.override(providers.Object(fixed)):
        yield fixed


@pytest.fixture
def gateway() -> Iterator[InMemoryPaymentGateway]:
    fresh = InMemoryPaymentGateway()
    with container.payment_gateway.override(providers.Object(fresh)):
        yield fresh


@pytest.fixture
def customer() -> Any:
    return get_user_model().objects.create_user(username="customer@example.com")


@pytest.fixture
def slot() -> catalog_models.Slot:
    return SlotRowFactory(capacity=10)


def hold(customer: Any, slot: catalog_models.Slot, seats: int = 2) -> Booking:
    command = HoldSeatsCommand(customer.pk, (HoldLine(slot.id, seats),))
    return container.hold_seats()(command)


def cancel(booking: Booking) -> None:
    container.cancel_booking()(CancelBookingCommand(booking.reference, customer_id=None))


def status_of(booking: Booking) -> str:
    return booking_models.Booking.objects.get(id=booking.id).status


def seats_held(slot: catalog_models.Slot) -> int:
    slot.refresh_from_db()
    return slot.seats_held


def expire_holds_command() -> str:
    out = StringIO()
    call_command("expire_holds", stdout=out)
    return out.getvalue().strip()


# ---------------------------------------------------------------- expire_holds


class TestExpireHoldsCommand:
    def test_expires_lapsed_holds_then_finds_nothing_more(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any
    ) -> None:
        first, second = hold(customer, slot, 2), hold(customer, slot, 3)
        assert seats_held(slot) == 5

        clock.advance(timedelta(minutes=settings.HOLD_MINUTES, seconds=1))

        assert expire_holds_command() == "Expired 2 hold(s)."
        assert status_of(first) == status_of(second) == "expired"
        assert seats_held(slot) == 0
        assert expire_holds_command() == "Expired 0 hold(s)."
        assert seats_held(slot) == 0

    def test_leaves_holds_that_have_time_left(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)
        clock.advance(timedelta(minutes=settings.HOLD_MINUTES) - timedelta(seconds=1))

        assert expire_holds_command() == "Expired 0 hold(s)."
        assert status_of(booking) == "held"
        assert seats_held(slot) == 2

    def test_a_hold_lapses_the_moment_its_time_is_up(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)
        clock.advance(timedelta(minutes=settings.HOLD_MINUTES))

        assert expire_holds_command() == "Expired 1 hold(s)."
        assert status_of(booking) == "expired"

    def test_reads_the_hold_time_from_settings(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any
    ) -> None:
        settings.HOLD_MINUTES = 0.05  # three seconds
        booking = hold(customer, slot)
        assert booking.expires_at - booking.created_at == timedelta(seconds=3)
        clock.advance(timedelta(seconds=3))

        assert expire_holds_command() == "Expired 1 hold(s)."

    def test_leaves_confirmed_and_cancelled_bookings_alone(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any, gateway: Any
    ) -> None:
        paid, dropped, lapsed = (
            hold(customer, slot, 1),
            hold(customer, slot, 2),
            hold(customer, slot, 3),
        )
        confirm_in(
            container.unit_of_work(), paid.id, Payment("test", "pay_1", paid.total), timezone.now()
        )
        cancel(dropped)
        clock.advance(timedelta(minutes=settings.HOLD_MINUTES, seconds=1))

        assert expire_holds_command() == "Expired 1 hold(s)."
        assert [status_of(b) for b in (paid, dropped, lapsed)] == [
            "confirmed",
            "cancelled",
            "expired",
        ]
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (0, 1)


class TestCeleryTasks:
    def test_expire_holds_runs_eagerly_and_returns_the_count(
        self, clock: FixedClock, settings: Any, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)
        clock.advance(timedelta(minutes=settings.HOLD_MINUTES, seconds=1))

        assert tasks.expire_holds.delay().get(timeout=10) == 1
        assert status_of(booking) == "expired"
        assert seats_held(slot) == 0
        assert tasks.expire_holds.apply().get() == 0

    def test_the_task_is_registered_under_the_name_beat_uses(self, settings: Any) -> None:
        from config.celery import app

        names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
        assert names <= set(app.tasks)
        assert app.tasks["booking.expire_holds"].name == tasks.expire_holds.name

    def test_purge_idempotency_keys_forgets_only_old_keys(
        self, customer: Any, settings: Any
    ) -> None:
        settings.IDEMPOTENCY_KEY_TTL_SECONDS = 60
        now = datetime.now(UTC)
        for key, age in [("old", 61), ("fresh", 30)]:
            IdempotencyKey.objects.create(
                customer=customer,
                key=key,
                fingerprint="0" * 64,
                status_code=201,
                body="{}",
                created_at=now - timedelta(seconds=age),
            )

        assert api_tasks.purge_idempotency_keys.delay().get(timeout=10) == 1
        assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


# ---------------------------------------------------------------- admin


@pytest.fixture
def operator() -> Client:
    staff = get_user_model().objects.create_superuser(
        username="operator", email="operator@example.com", password=None
    )
    client = Client()
    client.force_login(staff)
    return client


def messages_of(response: Any) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in response.context["messages"]]


class TestBookingAdmin:
    def test_the_changelist_renders_and_filters_by_status(
        self, operator: Client, customer: Any, slot: Any
    ) -> None:
        kept, dropped = hold(customer, slot, 1), hold(customer, slot, 2)
        cancel(dropped)

        everything = operator.get(reverse(CHANGELIST))
        assert everything.status_code == 200
        assert everything.context["cl"].result_count == 2
        assert b"status__exact=held" in everything.content  # the status filter is offered

        held = operator.get(reverse(CHANGELIST), {"status__exact": "held"})
        assert held.status_code == 200
        assert [row.reference for row in held.context["cl"].result_list] == [kept.reference]
        assert kept.reference.encode() in held.content
        assert dropped.reference.encode() not in held.content

    def test_search_finds_a_booking_by_reference_or_email(
        self, operator: Client, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)

        for term in (booking.reference, "customer@example"):
            response = operator.get(reverse(CHANGELIST), {"q": term})
            assert response.context["cl"].result_count == 1

    def test_the_change_page_renders_read_only(
        self, operator: Client, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)
        response = operator.get(reverse("admin:booking_booking_change", args=[booking.id]))

        assert response.status_code == 200
        assert booking.reference.encode() in response.content

    def test_nobody_adds_or_deletes_bookings_here(
        self, operator: Client, customer: Any, slot: Any
    ) -> None:
        booking = hold(customer, slot)

        assert operator.get(reverse("admin:booking_booking_add")).status_code == 403
        delete = reverse("admin:booking_booking_delete", args=[booking.id])
        assert operator.get(delete).status_code == 403

    def test_cancel_action_cancels_through_the_use_case(
        self, operator: Client, customer: Any, slot: Any, gateway: InMemoryPaymentGateway
    ) -> None:
        held = hold(customer, slot, 2)
        paid = hold(customer, slot, 3)
        confirm_in(
            container.unit_of_work(), paid.id, Payment("test", "pay_9", paid.total), timezone.now()
        )
        cancelled = hold(customer, slot, 1)
        cancel(cancelled)
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (2, 3)

        response = operator.post(
            reverse(CHANGELIST),
            {
                "action": "cancel_bookings",
                "_selected_action": [str(b.id) for b in (held, paid, cancelled)],
            },
            follow=True,
        )

        assert response.status_code == 200
        assert status_of(held) == status_of(paid) == "cancelled"
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (0, 0)  # seats released, once each
        # The policy applied: 30 days' notice refunds the paid booking in full.
        assert gateway.refunds == {f"refund-{paid.id}": ("pay_9", paid.total)}
        row = booking_models.Booking.objects.get(id=paid.id)
        assert (row.refund_amount, row.refund_percent) == (paid.total.amount, 100)
        messages = messages_of(response)
        assert (message_levels.SUCCESS, "Cancelled 2 booking(s).") in messages
        warnings = [text for level, text in messages if level == message_levels.WARNING]
        assert len(warnings) == 1
        assert warnings[0].startswith(f"{cancelled.reference}: ")
        assert "cancelled" in warnings[0]

    def test_cancel_action_on_only_finished_bookings_only_warns(
        self, operator: Client, customer: Any, slot: Any
    ) -> None:
        cancelled = hold(customer, slot, 1)
        cancel(cancelled)

        response = operator.post(
            reverse(CHANGELIST),
            {"action": "cancel_bookings", "_selected_action": [str(cancelled.id)]},
            follow=True,
        )

        levels = [level for level, _ in messages_of(response)]
        assert levels == [message_levels.WARNING]
        assert status_of(cancelled) == "cancelled"
        assert seats_held(slot) == 0
