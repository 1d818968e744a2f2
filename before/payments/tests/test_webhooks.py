"""`POST /webhooks/payments/<provider>/` fed events signed and shaped as the sandbox
sends them: signatures, the inbox, and every payment edge case."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from before.bookings.models import Booking
from before.bookings.tasks import expire_holds
from before.conftest import deliver, hold, sandbox_event, signed_body
from before.payments.models import Payment, ProviderEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(customer, held, sandbox):
    """Two seats held (50.00 EUR) and checked out at the sandbox."""
    assert customer.post(f"/api/v1/bookings/{held.reference}/checkout/").status_code == 200
    return held


def outcome(response):
    assert response.status_code == 200, response.content
    assert response.json()["received"] is True
    return response.json()["outcome"]


def state(booking, slot):
    """(booking status, seats held, seats booked)"""
    booking.refresh_from_db()
    slot.refresh_from_db()
    return booking.status, slot.seats_held, slot.seats_booked


def post_signed(payload, signature):
    body, _ = signed_body(payload)
    return APIClient().post(
        "/webhooks/payments/sandbox/",
        body,
        content_type="application/json",
        headers={"Sandbox-Signature": signature} if signature is not None else {},
    )


class TestSignature:
    @pytest.mark.parametrize(
        "signature",
        [None, "", "garbage", "t=abc,v1=00", f"t={int(time.time())}", "t=1,v1=00"],
    )
    def test_a_missing_or_malformed_signature_is_a_400_and_changes_nothing(
        self, booking, slot, signature
    ):
        response = post_signed(sandbox_event(booking), signature)

        assert response.status_code == 400
        assert response.json()["type"] == "/problems/invalid-signature"
        assert state(booking, slot) == ("held", 2, 0)
        assert not ProviderEvent.objects.exists()

    def test_the_wrong_secret_is_refused(self, booking):
        response = deliver(sandbox_event(booking), secret="whsec_someone_else")  # noqa: S106

        assert response.json()["title"] == "Invalid signature"

    @pytest.mark.parametrize("seconds", [-301, 360])
    def test_a_stale_or_future_timestamp_is_refused(self, booking, seconds):
        response = deliver(sandbox_event(booking), timestamp=int(time.time()) + seconds)

        assert response.status_code == 400
        assert "tolerance" in response.json()["detail"]

    def test_a_tampered_body_is_refused(self, booking, slot):
        payload = sandbox_event(booking)
        _, signature = signed_body(payload)
        payload["data"]["amount"] = "0.01"

        assert post_signed(payload, signature).status_code == 400
        assert state(booking, slot) == ("held", 2, 0)

    def test_one_good_signature_among_several_is_enough(self, booking):
        payload = sandbox_event(booking)
        _, signature = signed_body(payload)

        response = post_signed(payload, signature.replace("v1=", f"v1={'0' * 64},v1="))

        assert outcome(response) == "confirmed"

    def test_an_unknown_provider_is_a_404(self, booking):
        response = deliver(sandbox_event(booking), provider="nope")

        assert response.status_code == 404
        assert "nope" in response.json()["detail"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda e: e.pop("data"),
        lambda e: e.pop("id"),
        lambda e: e.update(created="yesterday"),
        lambda e: e.update(created=10**20),
        lambda e: e.update(type=["payment.succeeded"]),
        lambda e: e["data"].pop("payment_id"),
        lambda e: e["data"].update(amount="lots"),
        lambda e: e["data"].update(amount=50.0),
        lambda e: e["data"].update(currency="XYZ"),
        lambda e: e["data"].update(metadata="x"),
        lambda e: e["data"]["metadata"].update(booking_id="PS-1"),
        lambda e: e.update(id="e" * 101),
    ],
)
def test_a_signed_event_that_cannot_be_read_is_a_400(booking, slot, spoil):
    payload = sandbox_event(booking)
    spoil(payload)

    response = deliver(payload)

    assert response.status_code == 400
    assert response.json()["type"] == "/problems/malformed-event"
    assert state(booking, slot) == ("held", 2, 0)
    assert not ProviderEvent.objects.exists()


class TestInbox:
    def test_a_payment_confirms_the_booking_and_is_filed(self, booking, slot):
        event = sandbox_event(booking)

        assert outcome(deliver(event)) == "confirmed"

        assert state(booking, slot) == ("confirmed", 0, 2)
        assert Payment.objects.get().status == Payment.Status.SUCCEEDED
        filed = ProviderEvent.objects.get()
        assert (filed.event_id, filed.outcome, filed.booking) == (event["id"], "confirmed", booking)
        assert filed.resolved_at is not None

    def test_a_replayed_event_is_a_duplicate(self, booking, slot):
        event = sandbox_event(booking)
        deliver(event)

        assert outcome(deliver(event)) == "duplicate"
        assert state(booking, slot) == ("confirmed", 0, 2)
        assert ProviderEvent.objects.count() == 1

    def test_the_same_payment_in_another_event_is_already_applied(self, booking, sandbox):
        deliver(sandbox_event(booking))

        assert outcome(deliver(sandbox_event(booking))) == "already_applied"
        assert sandbox.refunds() == []

    def test_a_payment_found_by_its_id_alone_confirms_too(self, booking):
        event = sandbox_event(booking)
        event["data"]["metadata"] = {}

        assert outcome(deliver(event)) == "confirmed"

    def test_an_unknown_event_type_is_ignored(self, booking, slot):
        assert outcome(deliver(sandbox_event(booking, "payment.disputed"))) == "ignored"
        assert state(booking, slot) == ("held", 2, 0)
        assert ProviderEvent.objects.get().outcome == "ignored"

    def test_an_unknown_booking_is_kept_for_review(self, booking):
        assert outcome(deliver(sandbox_event(None))) == "unmatched"
        assert ProviderEvent.objects.get().note == "No booking for this payment."

    def test_a_payment_started_at_another_provider_is_not_ours(self, booking, slot, sandbox):
        Payment.objects.update(provider="stripe")

        assert outcome(deliver(sandbox_event(booking))) == "unmatched"
        assert state(booking, slot) == ("held", 2, 0)
        assert sandbox.refunds() == []


class TestFailedPayments:
    def test_a_declined_payment_leaves_the_booking_held(self, booking, slot):
        assert outcome(deliver(sandbox_event(booking, "payment.failed"))) == "failed"

        assert state(booking, slot) == ("held", 2, 0)
        assert Payment.objects.get().status == Payment.Status.FAILED

    def test_a_late_failure_of_a_payment_that_succeeded_changes_nothing(self, booking, slot):
        deliver(sandbox_event(booking))

        assert outcome(deliver(sandbox_event(booking, "payment.failed"))) == "already_applied"
        assert state(booking, slot) == ("confirmed", 0, 2)


class TestPaymentsSentBack:
    def test_a_wrong_amount_is_refunded_in_full_and_the_booking_stays_payable(
        self, booking, slot, sandbox
    ):
        assert outcome(deliver(sandbox_event(booking, amount="49.99"))) == "returned"

        assert state(booking, slot) == ("held", 2, 0)
        payment = Payment.objects.get()
        assert (payment.status, payment.return_reason) == ("returned", "amount_mismatch")
        assert sandbox.refunds() == [
            (f"return-{payment.payment_id}", {"payment_id": payment.payment_id, "amount": "49.99"})
        ]
        assert "amount_mismatch" in ProviderEvent.objects.get().note

    def test_another_currency_is_refunded_in_full(self, booking, sandbox):
        event = sandbox_event(booking)
        event["data"]["currency"] = "GBP"

        assert outcome(deliver(event)) == "returned"
        assert Payment.objects.get().currency == "GBP"

    def test_a_second_payment_of_a_confirmed_booking_is_refunded(self, booking, slot, sandbox):
        deliver(sandbox_event(booking))
        second = sandbox_event(booking, payment_id="pay_second")

        assert outcome(deliver(second)) == "returned"

        assert state(booking, slot) == ("confirmed", 0, 2)
        returned = Payment.objects.get(payment_id="pay_second")
        assert returned.return_reason == "already_paid"
        assert [key for key, _ in sandbox.refunds()] == ["return-pay_second"]

    def test_a_payment_for_a_booking_cancelled_while_held_is_refunded(
        self, customer, booking, slot
    ):
        customer.post(f"/api/v1/bookings/{booking.reference}/cancel/")

        assert outcome(deliver(sandbox_event(booking))) == "returned"
        assert state(booking, slot) == ("cancelled", 0, 0)
        assert Payment.objects.get().return_reason == "booking_cancelled"

    def test_a_provider_outage_while_refunding_is_a_503_and_files_nothing(
        self, booking, slot, sandbox
    ):
        event = sandbox_event(booking, amount="49.99")
        sandbox.fail_next = True

        response = deliver(event)

        assert response.status_code == 503
        assert int(response["Retry-After"]) > 0
        assert not ProviderEvent.objects.exists()
        assert Payment.objects.get().status == Payment.Status.PENDING
        assert outcome(deliver(event)) == "returned"  # the provider's retry runs afresh
        assert len(sandbox.refunds()) == 1


class TestPaidAfterExpiry:
    @pytest.fixture
    def expired(self, booking):
        Booking.objects.filter(id=booking.id).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
        assert expire_holds() == 1
        return booking

    def test_the_seats_are_booked_again_while_they_are_free(self, expired, slot):
        assert outcome(deliver(sandbox_event(expired))) == "confirmed"

        assert state(expired, slot) == ("confirmed", 0, 2)

    def test_with_the_seats_gone_the_payment_is_refunded_in_full(
        self, expired, slot, other_customer, sandbox
    ):
        assert hold(other_customer, (slot, 9)).status_code == 201

        assert outcome(deliver(sandbox_event(expired))) == "returned"

        assert state(expired, slot) == ("expired", 9, 0)
        assert Payment.objects.get().return_reason == "sold_out_after_expiry"
        assert len(sandbox.refunds()) == 1


class TestRefundEvents:
    def test_the_refund_of_a_cancellation_is_settled(self, customer, booking, sandbox):
        deliver(sandbox_event(booking))
        customer.post(f"/api/v1/bookings/{booking.reference}/cancel/")
        [(key, _)] = sandbox.refunds()

        event = sandbox_event(booking, "refund.succeeded", refund_id=f"re_{key}")

        assert outcome(deliver(event)) == "refund_settled"

    def test_a_refund_that_overtakes_its_payment_is_settled_once_it_arrives(self, booking):
        """The payment of the wrong amount is sent back; the provider's news of that
        refund arrives before the news of the payment."""
        payment_id = Payment.objects.get().payment_id
        refund = sandbox_event(
            booking, "refund.succeeded", refund_id=f"re_return-{payment_id}", refund_amount="49.99"
        )
        assert outcome(deliver(refund)) == "deferred"

        assert outcome(deliver(sandbox_event(booking, amount="49.99"))) == "returned"

        settled = ProviderEvent.objects.get(event_id=refund["id"])
        assert (settled.outcome, settled.booking) == ("refund_settled", booking)

    def test_a_refund_we_did_not_ask_for_is_kept_for_review(self, booking):
        deliver(sandbox_event(booking))

        event = sandbox_event(booking, "refund.succeeded", refund_id="re_other")

        assert outcome(deliver(event)) == "unmatched"
        assert "did not ask" in ProviderEvent.objects.get(event_id=event["id"]).note
