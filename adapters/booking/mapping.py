"""Booking rows to the Booking aggregate and back."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.booking.booking import Booking, BookingLine, BookingStatus, Payment
from domain.booking.refunds import Refund
from domain.shared.money import Money

if TYPE_CHECKING:
    from adapters.booking import models


def booking_from_row(row: models.Booking, lines: list[models.BookingLine]) -> Booking:
    currency = row.currency
    payment = None
    if row.payment_id and row.payment_amount is not None:
        payment = Payment(row.payment_provider, row.payment_id, Money(row.payment_amount, currency))
    refund = None
    if row.refund_amount is not None and row.refund_percent is not None:
        refund = Refund(
            Money(row.refund_amount, currency), row.refund_percent, row.refund_id or None
        )
    return Booking(
        id=row.id,
        reference=row.reference,
        customer_id=row.customer_id,
        lines=tuple(
            BookingLine(line.slot_id, line.seats, Money(line.unit_price_amount, currency))
            for line in lines
        ),
        status=BookingStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        payment=payment,
        refund=refund,
    )


def changing_fields(booking: Booking) -> dict[str, Any]:
    """The columns that a booking's steps change (its lines never do)."""
    return {
        "status": booking.status.value,
        "payment_provider": booking.payment.provider if booking.payment else "",
        "payment_id": booking.payment.payment_id if booking.payment else "",
        "payment_amount": booking.payment.amount.amount if booking.payment else None,
        "refund_amount": booking.refund.amount.amount if booking.refund else None,
        "refund_percent": booking.refund.percent if booking.refund else None,
        "refund_id": (booking.refund.refund_id or "") if booking.refund else "",
    }
