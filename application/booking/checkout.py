"""Use case: start paying for a held booking, or pick up the payment already started."""

import attrs

from application.booking.ports import BookingUnitOfWork, PaymentGateway
from application.shared.ports import Clock
from domain.booking.errors import BookingNotFound
from domain.booking.payments import PaymentAttempt, PaymentStatus
from domain.shared.money import Money


@attrs.frozen
class CheckoutCommand:
    reference: str
    customer_id: int


@attrs.frozen
class CheckoutResult:
    payment_id: str
    provider: str
    pay_url: str
    amount: Money


class Checkout:
    """The provider call runs inside the unit of work with an idempotency key derived
    from the booking and its attempt number, so a retry after a failed commit gets the
    same payment back from the provider rather than a second one."""

    def __init__(self, uow: BookingUnitOfWork, payments: PaymentGateway, clock: Clock) -> None:
        self._uow = uow
        self._payments = payments
        self._clock = clock

    def __call__(self, command: CheckoutCommand) -> CheckoutResult:
        with self._uow as uow:
            booking = uow.bookings.get_for_update(command.reference, command.customer_id)
            if booking is None:
                raise BookingNotFound(f"No booking {command.reference}.")
            now = self._clock.now()
            booking.check_payable(now)
            attempt = booking.pending_attempt()
            if attempt is None:
                started = self._payments.start_payment(
                    amount=booking.total,
                    idempotency_key=f"checkout-{booking.id}-{len(booking.attempts) + 1}",
                    booking_id=booking.id,
                    reference=booking.reference,
                )
                attempt = PaymentAttempt(
                    provider=started.provider,
                    payment_id=started.payment_id,
                    amount=booking.total,
                    pay_url=started.pay_url,
                    status=PaymentStatus.PENDING,
                    created_at=now,
                )
                booking.start_payment(attempt, now)
                uow.bookings.save(booking)
            uow.commit()
        return CheckoutResult(attempt.payment_id, attempt.provider, attempt.pay_url, attempt.amount)
