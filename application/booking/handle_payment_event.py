"""Use case: one entry point for every provider event, already verified and parsed.

The event is recorded in the inbox in the same unit of work as its effect, so a
replayed event does nothing twice. The rules for what a payment does to a booking
live in the domain (`Booking.payment_succeeded`); this use case finds the booking,
asks the provider to refund what the domain sends back, and files each event with
its outcome for operators.
"""

import enum

import attrs

from application.booking.ports import BookingUnitOfWork, PaymentGateway
from application.shared.ports import Clock
from domain.booking.booking import Booking
from domain.booking.payments import Payment, PaymentDecision, PaymentEvent, PaymentEventKind


class Outcome(enum.StrEnum):
    CONFIRMED = "confirmed"
    ALREADY_APPLIED = "already_applied"
    DUPLICATE = "duplicate"  # the same event id again
    RETURNED = "returned"  # refunded in full; see the booking's returned payments
    FAILED = "failed"  # payment declined; booking stays held
    REFUND_SETTLED = "refund_settled"
    DEFERRED = "deferred"  # waits for the payment it refers to
    IGNORED = "ignored"  # an event type Portside does not act on
    UNMATCHED = "unmatched"  # no booking or payment of ours: kept for review


@attrs.frozen
class HandlePaymentEventResult:
    outcome: Outcome
    reference: str | None = None


class HandlePaymentEvent:
    def __init__(self, uow: BookingUnitOfWork, payments: PaymentGateway, clock: Clock) -> None:
        self._uow = uow
        self._payments = payments
        self._clock = clock

    def __call__(self, event: PaymentEvent) -> HandlePaymentEventResult:
        with self._uow as uow:
            if not uow.inbox.record(event):
                return HandlePaymentEventResult(Outcome.DUPLICATE)
            if event.kind is None:
                uow.inbox.resolve(event, Outcome.IGNORED)
                uow.commit()
                return HandlePaymentEventResult(Outcome.IGNORED)
            booking = self._find(uow, event)
            if booking is None:
                uow.inbox.resolve(event, Outcome.UNMATCHED, "No booking for this payment.")
                uow.commit()
                return HandlePaymentEventResult(Outcome.UNMATCHED)
            outcome = self._apply(uow, booking, event)
            if outcome is Outcome.CONFIRMED or outcome is Outcome.RETURNED:
                for deferred in uow.inbox.deferred_for(event.provider, event.payment_id):
                    self._apply(uow, booking, deferred)
            uow.bookings.save(booking)
            uow.commit()
        return HandlePaymentEventResult(outcome, booking.reference)

    def _find(self, uow: BookingUnitOfWork, event: PaymentEvent) -> Booking | None:
        if event.booking_id is not None:
            found = uow.bookings.get_by_id_for_update(event.booking_id)
            if found is not None:
                return found
        return uow.bookings.get_by_payment_for_update(event.payment_id)

    def _apply(self, uow: BookingUnitOfWork, booking: Booking, event: PaymentEvent) -> Outcome:
        now = self._clock.now()
        if event.kind is PaymentEventKind.PAYMENT_FAILED:
            applied = booking.payment_failed(event.payment_id, now)
            outcome, note = (Outcome.FAILED, "") if applied else (Outcome.ALREADY_APPLIED, "")
        elif event.kind is PaymentEventKind.REFUND_SUCCEEDED:
            outcome, note = self._refund_settled(booking, event)
        else:
            outcome, note = self._payment_succeeded(uow, booking, event)
        uow.inbox.resolve(event, outcome, note, booking.id)
        return outcome

    def _payment_succeeded(
        self, uow: BookingUnitOfWork, booking: Booking, event: PaymentEvent
    ) -> tuple[Outcome, str]:
        if event.amount is None:
            return Outcome.UNMATCHED, "A payment event without an amount."
        now = self._clock.now()
        payment = Payment(event.provider, event.payment_id, event.amount)
        slots = uow.slots.lock(booking.slot_ids)
        decision = booking.payment_succeeded(payment, slots, now)
        uow.slots.save(slots.values())
        if decision is PaymentDecision.CONFIRMED:
            return Outcome.CONFIRMED, ""
        if decision is PaymentDecision.ALREADY_APPLIED:
            return Outcome.ALREADY_APPLIED, ""
        if decision is PaymentDecision.NOT_OURS:
            return Outcome.UNMATCHED, "This payment id was started at another provider."
        returned = booking.returned[-1]
        refund_id = self._payments.refund(
            payment.payment_id, payment.amount, idempotency_key=f"return-{payment.payment_id}"
        )
        booking.record_return(payment.payment_id, refund_id, now)
        return Outcome.RETURNED, f"Refunded in full: {returned.reason.value}."

    def _refund_settled(self, booking: Booking, event: PaymentEvent) -> tuple[Outcome, str]:
        if event.refund_id is not None and booking.knows_refund(event.refund_id):
            return Outcome.REFUND_SETTLED, ""
        if not booking.has_applied(event.payment_id):
            # The refund overtook the payment it refunds: apply it once that arrives.
            return Outcome.DEFERRED, "Waiting for the payment it refunds."
        return Outcome.UNMATCHED, "A refund Portside did not ask for; check at the provider."
