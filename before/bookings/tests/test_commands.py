"""The expiry sweep (command and Celery task) and the demo data."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from before.bookings.models import Booking
from before.bookings.tasks import expire_holds
from before.catalog.models import Listing, Slot

pytestmark = pytest.mark.django_db


def lapse(booking):
    Booking.objects.filter(id=booking.id).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_a_lapsed_hold_expires_and_its_seats_return(slot, held):
    lapse(held)
    out = StringIO()

    call_command("expire_holds", stdout=out)

    assert out.getvalue().strip() == "Expired 1 hold(s)."
    held.refresh_from_db()
    assert held.status == Booking.Status.EXPIRED
    slot.refresh_from_db()
    assert slot.seats_held == 0


def test_a_second_sweep_changes_nothing(slot, held):
    lapse(held)

    assert expire_holds.delay().get() == 1
    assert expire_holds.delay().get() == 0
    slot.refresh_from_db()
    assert slot.seats_held == 0


def test_holds_still_running_and_other_bookings_are_left_alone(customer, make_slot, held):
    running = Booking.objects.get(id=held.id)
    cancelled_slot = make_slot()
    response = customer.post(
        "/api/v1/bookings/", {"lines": [{"slot_id": str(cancelled_slot.id), "seats": 1}]}
    )
    cancelled = Booking.objects.get(reference=response.json()["reference"])
    customer.post(f"/api/v1/bookings/{cancelled.reference}/cancel/")
    lapse(cancelled)

    assert expire_holds() == 0
    running.refresh_from_db()
    assert running.status == Booking.Status.HELD


def test_the_demo_data_loads_once(settings):
    call_command("load_demo_data", stdout=StringIO())
    call_command("load_demo_data", stdout=StringIO())

    titles = list(Listing.objects.values_list("title", flat=True))
    assert len(titles) == 8
    assert titles[0] == "Brooklyn bridge photo walk"
    assert Listing.objects.filter(is_published=True).count() == 8
    assert Slot.objects.count() in {8 * 25, 8 * 26}  # thirty days but the Mondays
    assert Slot.objects.filter(starts_at__gt=timezone.now()).count() == Slot.objects.count()
    assert all(slot.starts_at.weekday() != 0 for slot in Slot.objects.all())
    sushi = Slot.objects.filter(listing__title="Sushi making workshop").first()
    assert (sushi.capacity, sushi.price, sushi.listing.currency) == (6, 8500, "JPY")
    users = get_user_model().objects
    assert users.get(username="demo@portside.example").check_password("portside-demo")
    assert users.get(username="admin").is_superuser
