"""Checkout, and the inbound payment webhook `POST /webhooks/payments/<provider>/`.

The webhook checks the sandbox's signature before reading anything, records the event
in the inbox in the same transaction as its effect (a replay does nothing twice), and
applies it to the booking:

- payment succeeded for a held booking: confirmed, its held seats booked;
- the same payment again in another event: already applied;
- wrong amount or currency, a second payment for a confirmed booking, a payment for a
  cancelled booking: refunded in full, with the reason on the payment;
- paid after the hold expired: confirmed again if every seat is still free and no slot
  has started, else refunded in full;
- payment failed: the booking stays held and checkout starts a new payment;
- refund succeeded for a refund we asked for: settled; one that overtook the payment
  it refunds: deferred, and settled once that payment arrives;
- unknown event types: acknowledged and ignored; unknown bookings: kept for review;
- the provider failing while we refund: 503, nothing recorded, the provider retries.
"""

import json
import logging
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from before.bookings.exceptions import NotPayable
from before.bookings.models import Booking
from before.catalog.models import Slot
from before.common.exceptions import problem, problem_response
from before.common.money import MINOR_UNITS, money, round_amount
from before.payments import sandbox
from before.payments.models import Payment, ProviderEvent, Refund
from before.payments.serializers import CheckoutSerializer

logger = logging.getLogger(__name__)

MAX_ID_LENGTH = 100
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
REFUND_SUCCEEDED = "refund.succeeded"


class CheckoutView(APIView):
    """Start paying for a held booking, or pick up the payment already started."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: CheckoutSerializer})
    def post(self, request, reference):
        with transaction.atomic():
            booking = (
                Booking.objects.select_for_update()
                .filter(reference=reference, customer=request.user)
                .first()
            )
            if booking is None:
                raise exceptions.NotFound(f"No booking {reference}.")
            if booking.status != Booking.Status.HELD or booking.hold_has_lapsed():
                status = "expired" if booking.status == Booking.Status.HELD else booking.status
                raise NotPayable(f"Cannot pay for booking {reference}: it is {status}.")
            payment = booking.payments.filter(status=Payment.Status.PENDING).last()
            if payment is None:
                # The key names the attempt: a retry after a failed commit gets the same
                # payment back from the provider instead of a second one.
                attempt = booking.payments.count() + 1
                started = sandbox.create_payment(booking, f"checkout-{booking.id}-{attempt}")
                payment = Payment.objects.create(
                    booking=booking,
                    provider=sandbox.PROVIDER,
                    payment_id=started["id"],
                    amount=booking.total,
                    currency=booking.currency,
                    pay_url=started["pay_url"],
                )
        return Response(
            CheckoutSerializer(
                {
                    "payment_id": payment.payment_id,
                    "provider": payment.provider,
                    "pay_url": payment.pay_url,
                    "amount": money(payment.amount, payment.currency),
                }
            ).data
        )


def read_event(payload):
    """The fields of a sandbox event; ValueError, KeyError, TypeError, ... if missing
    or malformed."""
    if not isinstance(payload, dict) or not isinstance(payload["data"], dict):
        raise TypeError("An event is a JSON object with a data object.")
    data = payload["data"]
    kind = payload["type"]
    if not isinstance(kind, str):
        raise TypeError("type is a string.")
    amount_field = "refund_amount" if kind == REFUND_SUCCEEDED else "amount"
    amount = currency = None
    if amount_field in data:
        currency = data["currency"]
        if currency not in MINOR_UNITS:
            raise ValueError(f"Unknown currency {currency!r}.")
        raw = data[amount_field]
        if isinstance(raw, bool | float) or not isinstance(raw, str | int):
            raise TypeError("Amounts are decimal strings, never floats.")
        amount = Decimal(raw)
        if not amount.is_finite():
            raise ValueError(f"{raw!r} is not an amount.")
        amount = round_amount(amount, currency)
    booking_id = data.get("metadata", {}).get("booking_id")
    event = {
        "id": str(payload["id"]),
        "type": kind,
        "created": datetime.fromtimestamp(int(payload["created"]), UTC),
        "payment_id": str(data["payment_id"]),
        "amount": amount,
        "currency": currency,
        "booking_id": uuid.UUID(booking_id) if booking_id else None,
        "refund_id": str(data["refund_id"]) if data.get("refund_id") else None,
    }
    if any(
        len(value or "") > MAX_ID_LENGTH
        for value in (event["id"], event["payment_id"], event["refund_id"])
    ):
        raise ValueError("An id longer than any provider's.")
    return event


class PaymentWebhookView(APIView):
    authentication_classes = []  # the signature is the authentication
    permission_classes = [AllowAny]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "WebhookReceipt",
                {"received": serializers.BooleanField(), "outcome": serializers.CharField()},
            )
        },
    )
    def post(self, request, provider):
        if provider != sandbox.PROVIDER:
            return problem_response(
                problem(404, "not-found", "Not found", f"No provider {provider!r}.")
            )
        try:
            sandbox.verify_signature(
                request.body,
                request.headers.get(sandbox.SIGNATURE_HEADER),
                settings.PAYMENTS_SANDBOX_WEBHOOK_SECRET,
            )
        except sandbox.InvalidSignature as error:
            logger.warning("payment webhook %s: signature refused: %s", provider, error)
            return problem_response(
                problem(400, "invalid-signature", "Invalid signature", str(error))
            )
        try:
            payload = json.loads(request.body)
            event = read_event(payload)
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as error:
            logger.warning("payment webhook %s: malformed event: %r", provider, error)
            return problem_response(
                problem(400, "malformed-event", "Malformed event", "The event could not be read.")
            )

        with transaction.atomic():
            try:
                with transaction.atomic():
                    inbox = ProviderEvent.objects.create(
                        provider=provider,
                        event_id=event["id"],
                        type=event["type"],
                        payment_id=event["payment_id"],
                        payload=payload,
                    )
            except IntegrityError:
                outcome = "duplicate"
            else:
                outcome = self.handle(provider, event, inbox)
        logger.info(
            "payment webhook %s event=%s type=%s payment=%s outcome=%s",
            provider,
            event["id"],
            event["type"],
            event["payment_id"],
            outcome,
        )
        return Response({"received": True, "outcome": outcome})

    def handle(self, provider, event, inbox):
        if event["type"] not in (PAYMENT_SUCCEEDED, PAYMENT_FAILED, REFUND_SUCCEEDED):
            return inbox.resolve("ignored")
        bookings = Booking.objects.select_for_update()
        booking = None
        if event["booking_id"]:
            booking = bookings.filter(id=event["booking_id"]).first()
        if booking is None and event["payment_id"]:
            paid_for = Payment.objects.filter(payment_id=event["payment_id"]).values("booking_id")
            booking = bookings.filter(id__in=paid_for).first()
        if booking is None:
            return inbox.resolve("unmatched", "No booking for this payment.")

        outcome = self.apply(provider, booking, event, inbox)
        if outcome in ("confirmed", "returned"):
            # Refunds that overtook this payment can be settled now.
            deferred = ProviderEvent.objects.filter(
                provider=provider, payment_id=event["payment_id"], outcome="deferred"
            )
            for waiting in deferred.order_by("id"):
                self.apply(provider, booking, read_event(waiting.payload), waiting)
        return outcome

    def apply(self, provider, booking, event, inbox):
        payments = list(booking.payments.filter(payment_id=event["payment_id"]))
        applied = any(
            p.status in (Payment.Status.SUCCEEDED, Payment.Status.RETURNED) for p in payments
        )
        note = ""
        if event["type"] == PAYMENT_FAILED:
            if any(p.status != Payment.Status.PENDING for p in payments):
                outcome = "already_applied"
            else:
                booking.payments.filter(payment_id=event["payment_id"]).update(
                    status=Payment.Status.FAILED
                )
                outcome = "failed"
        elif event["type"] == REFUND_SUCCEEDED:
            known = Refund.objects.filter(
                payment__booking=booking, refund_id=event["refund_id"] or ""
            ).exists()
            if known:
                outcome = "refund_settled"
            elif not applied:
                outcome, note = "deferred", "Waiting for the payment it refunds."
            else:
                outcome = "unmatched"
                note = "A refund Portside did not ask for; check at the provider."
        elif event["amount"] is None:
            outcome, note = "unmatched", "A payment event without an amount."
        elif applied:
            outcome = "already_applied"
        elif payments and all(p.provider != provider for p in payments):
            outcome, note = "unmatched", "This payment id was started at another provider."
        else:
            payment = next((p for p in payments if p.provider == provider), None) or Payment(
                booking=booking, provider=provider, payment_id=event["payment_id"]
            )
            payment.amount, payment.currency = event["amount"], event["currency"]
            outcome, note = self.payment_succeeded(booking, payment)
        return inbox.resolve(outcome, note, booking)

    def payment_succeeded(self, booking, payment):
        if payment.amount != booking.total or payment.currency != booking.currency:
            return self.give_back(payment, Payment.ReturnReason.AMOUNT_MISMATCH)
        if booking.status == Booking.Status.HELD:
            booking.confirm()
        elif booking.status == Booking.Status.CONFIRMED:
            return self.give_back(payment, Payment.ReturnReason.ALREADY_PAID)
        elif booking.status == Booking.Status.EXPIRED:
            # Paid after the hold lapsed: book the seats again if they are all still free.
            lines = list(booking.lines.all())
            slots = booking.lock_slots(lines)
            if not all(
                slots[line.slot_id].seats_available >= line.seats
                and not slots[line.slot_id].has_started()
                for line in lines
            ):
                return self.give_back(payment, Payment.ReturnReason.SOLD_OUT_AFTER_EXPIRY)
            for line in lines:
                slots[line.slot_id].seats_booked += line.seats
            Slot.objects.bulk_update(slots.values(), ["seats_booked"])
            booking.status = Booking.Status.CONFIRMED
            booking.save()
        else:
            return self.give_back(payment, Payment.ReturnReason.BOOKING_CANCELLED)
        payment.status = Payment.Status.SUCCEEDED
        payment.save()
        return "confirmed", ""

    def give_back(self, payment, reason):
        """Refund a payment in full that cannot pay for its booking."""
        payment.status = Payment.Status.RETURNED
        payment.return_reason = reason
        payment.save()
        payment.refund(payment.amount, idempotency_key=f"return-{payment.payment_id}")
        return "returned", f"Refunded in full: {reason}."
