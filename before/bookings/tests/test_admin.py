"""The operators' admin: the pages open, and cancelling goes through Booking.cancel()."""

import pytest
from django.contrib.auth import get_user_model

from before.bookings.models import Booking

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    get_user_model().objects.create_superuser("operator", "operator@example.com", "pw")
    client.login(username="operator", password="pw")  # noqa: S106
    return client


@pytest.mark.parametrize(
    "page",
    [
        "before_bookings/booking",
        "before_catalog/listing",
        "before_catalog/slot",
        "before_payments/payment",
        "before_payments/refund",
        "before_payments/providerevent",
    ],
)
def test_the_admin_pages_open(operator, held, page):
    assert operator.get(f"/admin/{page}/").status_code == 200


def test_a_booking_opens_with_its_lines(operator, held):
    response = operator.get(f"/admin/before_bookings/booking/{held.pk}/change/")

    assert response.status_code == 200
    assert held.reference in response.text


def test_operators_cancel_bookings_and_hear_about_the_ones_they_cannot(operator, held, slot):
    operator.post(
        "/admin/before_bookings/booking/",
        {"action": "cancel_bookings", "_selected_action": [held.pk]},
    )
    response = operator.post(
        "/admin/before_bookings/booking/",
        {"action": "cancel_bookings", "_selected_action": [held.pk]},
        follow=True,
    )

    held.refresh_from_db()
    assert held.status == Booking.Status.CANCELLED
    slot.refresh_from_db()
    assert slot.seats_held == 0
    assert "it is cancelled" in response.text
