"""Checkout at the sandbox provider, and refunds when a paid booking is cancelled.

`requests.post` is patched (the `sandbox` fixture), so no provider runs.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from before.bookings.models import Booking
from before.conftest import deliver, hold, sandbox_event
from before.payments.models import Payment, Refund

pytestmark = pytest.mark.django_db


def checkout(client, booking):
    return client.post(f"/api/v1/bookings/{booking.reference}/checkout/")


def pay(customer, booking, sandbox):
    """Check out and let the provider report the payment: the booking is confirmed."""
    assert checkout(customer, booking).status_code == 200
    assert deliver(sandbox_event(booking)).json()["outcome"] == "confirmed"
    booking.refresh_from_db()
    return booking


def test_checkout_starts_a_payment_of_the_total(customer, held, sandbox, settings):
    response = checkout(customer, held)

    assert response.status_code == 200, response.content
    body = response.json()
    payment = Payment.objects.get()
    assert body == {
        "payment_id": payment.payment_id,
        "provider": "sandbox",
        "pay_url": f"http://testserver/sandbox/pay/{payment.payment_id}/",
        "amount": {"amount": "50.00", "currency": "EUR"},
    }
    [(path, key, sent)] = sandbox.calls
    assert path == "/api/payments/"
    assert key == f"checkout-{held.id}-1"
    assert sent["amount"] == "50.00"
    assert sent["currency"] == "EUR"
    assert sent["metadata"] == {"booking_id": str(held.id), "reference": held.reference}
    assert sent["webhook_url"] == f"{settings.PORTSIDE_BASE_URL}/webhooks/payments/sandbox/"


def test_checking_out_again_reuses_the_pending_payment(customer, held, sandbox):
    first = checkout(customer, held).json()

    assert checkout(customer, held).json() == first
    assert len(sandbox.calls) == 1


def test_after_a_declined_payment_checkout_starts_another(customer, held, sandbox):
    first = checkout(customer, held).json()
    assert deliver(sandbox_event(held, "payment.failed")).json()["outcome"] == "failed"

    second = checkout(customer, held).json()

    assert second["payment_id"] != first["payment_id"]
    assert sandbox.calls[-1][1] == f"checkout-{held.id}-2"
    held.refresh_from_db()
    assert held.status == Booking.Status.HELD


@pytest.mark.parametrize("status", ["cancelled", "confirmed", "lapsed"])
def test_only_a_running_hold_can_be_paid(customer, held, sandbox, status):
    if status == "lapsed":
        Booking.objects.filter(id=held.id).update(expires_at=timezone.now())
    else:
        Booking.objects.filter(id=held.id).update(status=status)

    response = checkout(customer, held)

    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "/problems/not-payable"
    assert body["detail"].endswith(f"it is {'expired' if status == 'lapsed' else status}.")
    assert sandbox.calls == []


def test_someone_elses_booking_cannot_be_checked_out(other_customer, held, sandbox):
    assert checkout(other_customer, held).status_code == 404
    assert sandbox.calls == []


def test_a_provider_outage_is_a_503_and_starts_nothing(customer, held, sandbox):
    sandbox.fail_next = True

    response = checkout(customer, held)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["type"] == "/problems/service-unavailable"
    assert not Payment.objects.exists()


def test_a_provider_refusal_is_a_502_without_retry_after_and_starts_nothing(
    customer, held, sandbox
):
    sandbox.refuse_next = 401

    response = checkout(customer, held)

    assert response.status_code == 502
    assert "Retry-After" not in response
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "/problems/payment-refused"
    assert not Payment.objects.exists()


class TestCancellingAPaidBooking:
    def test_refunds_by_the_listings_policy(self, customer, slot, held, sandbox):
        booking = pay(customer, held, sandbox)

        response = customer.post(f"/api/v1/bookings/{booking.reference}/cancel/")

        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "cancelled"
        assert body["refund"] == {"amount": "50.00", "currency": "EUR", "percent": 100}
        payment = Payment.objects.get()
        assert sandbox.refunds() == [
            (f"refund-{booking.id}", {"payment_id": payment.payment_id, "amount": "50.00"})
        ]
        assert Refund.objects.get().refund_id == f"re_refund-{booking.id}"
        slot.refresh_from_db()
        assert (slot.seats_held, slot.seats_booked) == (0, 0)
        assert customer.get(f"/api/v1/bookings/{booking.reference}/").json() == body

    def test_with_a_days_notice_half_comes_back(self, customer, make_slot, sandbox):
        slot = make_slot(starts_at=timezone.now() + timedelta(hours=30), price=Decimal("12.25"))
        booking = Booking.objects.get(reference=hold(customer, (slot, 1)).json()["reference"])
        checkout(customer, booking)
        deliver(sandbox_event(booking, amount="12.25"))

        body = customer.post(f"/api/v1/bookings/{booking.reference}/cancel/").json()

        assert body["refund"] == {"amount": "6.12", "currency": "EUR", "percent": 50}

    def test_with_short_notice_nothing_comes_back(self, customer, make_slot, sandbox):
        slot = make_slot(starts_at=timezone.now() + timedelta(hours=3))
        booking = Booking.objects.get(reference=hold(customer, (slot, 2)).json()["reference"])
        pay(customer, booking, sandbox)

        body = customer.post(f"/api/v1/bookings/{booking.reference}/cancel/").json()

        assert body["status"] == "cancelled"
        assert "refund" not in body
        assert sandbox.refunds() == []

    def test_a_provider_outage_cancels_nothing_and_a_retry_refunds_once(
        self, customer, slot, held, sandbox
    ):
        booking = pay(customer, held, sandbox)
        sandbox.fail_next = True

        failed = customer.post(f"/api/v1/bookings/{booking.reference}/cancel/")

        assert failed.status_code == 503
        booking.refresh_from_db()
        assert booking.status == Booking.Status.CONFIRMED
        slot.refresh_from_db()
        assert slot.seats_booked == 2
        assert not Refund.objects.exists()

        retried = customer.post(f"/api/v1/bookings/{booking.reference}/cancel/")

        assert retried.status_code == 200
        assert [key for key, _ in sandbox.refunds()] == [f"refund-{booking.id}"]
