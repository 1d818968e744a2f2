"""The Booking model: its status signal, partner data, seat accounting and refunds."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from before.bookings.exceptions import IllegalTransition
from before.bookings.models import Booking
from before.bookings.signals import booking_status_changed

pytestmark = pytest.mark.django_db


@pytest.fixture
def status_changes():
    """Every booking_status_changed sent, with the booking's lines at the time."""
    seen = []

    def record(sender, booking, old_status, new_status, **kwargs):
        seen.append((booking.reference, old_status, new_status, booking.webhook_data()["lines"]))

    booking_status_changed.connect(record)
    yield seen
    booking_status_changed.disconnect(record)


def book(customer, *lines):
    """Hold `(slot, seats)` lines directly, as the hold endpoint does."""
    with transaction.atomic():
        return Booking.hold(customer, list(lines))


def confirm(booking):
    with transaction.atomic():
        booking.confirm()


def seats(slot):
    slot.refresh_from_db()
    return slot.seats_held, slot.seats_booked


def test_a_new_booking_is_signalled_with_its_lines(customer, slot, status_changes):
    booking = book(customer.user, (slot, 2))

    assert status_changes == [(booking.reference, None, "held", booking.webhook_data()["lines"])]
    assert status_changes[0][3] != []


def test_each_status_change_is_signalled_once(customer, slot, status_changes):
    booking = book(customer.user, (slot, 2))
    confirm(booking)
    booking.save()  # no change, no signal
    with transaction.atomic():
        booking.cancel()

    assert [(old, new) for _, old, new, _ in status_changes] == [
        (None, "held"),
        ("held", "confirmed"),
        ("confirmed", "cancelled"),
    ]


def test_a_booking_loaded_again_knows_its_status(customer, slot, status_changes):
    booking = book(customer.user, (slot, 2))

    loaded = Booking.objects.get(id=booking.id)
    confirm(loaded)

    assert status_changes[-1][1:3] == ("held", "confirmed")


def test_webhook_data_is_the_partner_payload(customer, make_slot):
    slot = make_slot(listing__currency="JPY", price=Decimal(8500))
    booking = book(customer.user, (slot, 2))

    assert booking.webhook_data() == {
        "reference": booking.reference,
        "status": "held",
        "lines": [
            {
                "slot_id": str(slot.id),
                "seats": 2,
                "unit_price": {"amount": "8500", "currency": "JPY"},
            }
        ],
        "total": {"amount": "17000", "currency": "JPY"},
        "refund": None,
    }


def test_seats_move_with_each_step(customer, slot):
    booking = book(customer.user, (slot, 3))
    assert seats(slot) == (3, 0)

    confirm(booking)
    assert seats(slot) == (0, 3)

    with transaction.atomic():
        booking.cancel()
    assert seats(slot) == (0, 0)


@pytest.mark.parametrize(
    ("hours_ahead", "refund"),
    [
        (72, {"amount": "50.00", "currency": "EUR", "percent": 100}),
        (30, {"amount": "25.00", "currency": "EUR", "percent": 50}),
        (3, None),
    ],
)
def test_a_confirmed_booking_cancelled_earns_its_policys_refund(
    customer, make_slot, hours_ahead, refund
):
    slot = make_slot(starts_at=timezone.now() + timedelta(hours=hours_ahead))
    booking = book(customer.user, (slot, 2))
    confirm(booking)

    with transaction.atomic():
        booking.cancel()

    assert booking.webhook_data()["refund"] == refund


def test_lines_in_different_tiers_report_the_share_refunded(customer, make_slot):
    soon = make_slot(starts_at=timezone.now() + timedelta(hours=30), price=Decimal("10.00"))
    later = make_slot(starts_at=timezone.now() + timedelta(days=5), price=Decimal("20.00"))
    booking = book(customer.user, (soon, 1), (later, 1))
    confirm(booking)

    with transaction.atomic():
        booking.cancel()

    assert booking.refund_data() == {"amount": "25.00", "currency": "EUR", "percent": 83}


def test_only_a_held_booking_can_be_confirmed(customer, slot):
    booking = book(customer.user, (slot, 1))
    confirm(booking)

    with pytest.raises(IllegalTransition, match="it is confirmed"):
        confirm(booking)
