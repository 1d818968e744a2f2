"""Signal receivers of the payments app."""

from django.dispatch import receiver

from before.bookings.models import Booking
from before.bookings.signals import booking_status_changed
from before.payments.models import Payment


@receiver(booking_status_changed, dispatch_uid="before.payments.refund_cancelled_booking")
def refund_cancelled_booking(sender, booking, old_status, new_status, **kwargs):
    """A paid booking was cancelled: send the refund its policy allows to the provider.

    This runs inside the cancellation's transaction, so when the provider fails the
    cancellation rolls back too; the key makes a retry refund once.
    """
    if old_status != Booking.Status.CONFIRMED or new_status != Booking.Status.CANCELLED:
        return
    if not booking.refund_amount:
        return
    payment = booking.payments.filter(status=Payment.Status.SUCCEEDED).first()
    if payment is not None:
        payment.refund(booking.refund_amount, idempotency_key=f"refund-{booking.id}")
