"""Booking rows to the Booking aggregate and back."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.booking.booking import Booking, BookingLine, BookingStatus
from domain.booking.payments import (
    Payment,
    PaymentAttempt,
    PaymentEvent,
    PaymentEventKind,
    PaymentStatus,
    ReturnedPayment,
    ReturnReason,
)
from domain.booking.refunds import Refund
from domain.shared.money import Money

if TYPE_CHECKING:
    from adapters.booking import models


def lines_from_rows(
    row: models.Booking, lines: list[models.BookingLine]
) -> tuple[BookingLine, ...]:
    return tuple(
        BookingLine(line.slot_id, line.seats, Money(line.unit_price_amount, row.currency))
        for line in lines
    )


def refund_from_row(row: models.Booking) -> Refund | None:
    if row.refund_amount is None or row.refund_percent is None:
        return None
    return Refund(Money(row.refund_amount, row.currency), row.refund_percent, row.refund_id or None)


def booking_from_row(
    row: models.Booking, lines: list[models.BookingLine], payments: list[models.BookingPayment]
) -> Booking:
    currency = row.currency
    payment = None
    if row.payment_id and row.payment_amount is not None:
        payment = Payment(row.payment_provider, row.payment_id, Money(row.payment_amount, currency))
    return Booking(
        id=row.id,
        reference=row.reference,
        customer_id=row.customer_id,
        lines=lines_from_rows(row, lines),
        status=BookingStatus(row.status),
        created_at=row.created_at,
        expires_at=row.expires_at,
        payment=payment,
        refund=refund_from_row(row),
        attempts=[
            PaymentAttempt(
                provider=attempt.provider,
                payment_id=attempt.payment_id,
                amount=Money(attempt.amount, currency),
                pay_url=attempt.pay_url,
                status=PaymentStatus(attempt.status),
                created_at=attempt.created_at,
            )
            for attempt in payments
        ],
        returned=[returned_from_json(item) for item in row.returned_payments],
    )


def returned_to_json(returned: ReturnedPayment) -> dict[str, Any]:
    return {
        "provider": returned.payment.provider,
        "payment_id": returned.payment.payment_id,
        "amount": str(returned.payment.amount.amount),
        "currency": returned.payment.amount.currency,
        "reason": returned.reason.value,
        "refund_id": returned.refund_id,
    }


def returned_from_json(item: dict[str, Any]) -> ReturnedPayment:
    payment = Payment(item["provider"], item["payment_id"], Money(item["amount"], item["currency"]))
    return ReturnedPayment(payment, ReturnReason(item["reason"]), item.get("refund_id"))


def event_to_json(event: PaymentEvent) -> dict[str, Any]:
    return {
        "provider": event.provider,
        "event_id": event.event_id,
        "kind": event.kind.value if event.kind else None,
        "payment_id": event.payment_id,
        "amount": str(event.amount.amount) if event.amount else None,
        "currency": event.amount.currency if event.amount else None,
        "booking_id": str(event.booking_id) if event.booking_id else None,
        "occurred_at": event.occurred_at.isoformat(),
        "refund_id": event.refund_id,
    }


def event_from_json(item: dict[str, Any]) -> PaymentEvent:
    return PaymentEvent(
        provider=item["provider"],
        event_id=item["event_id"],
        kind=PaymentEventKind(item["kind"]) if item["kind"] else None,
        payment_id=item["payment_id"],
        amount=Money(item["amount"], item["currency"]) if item["amount"] else None,
        booking_id=UUID(item["booking_id"]) if item["booking_id"] else None,
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
        refund_id=item["refund_id"],
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
        "returned_payments": [returned_to_json(returned) for returned in booking.returned],
    }
