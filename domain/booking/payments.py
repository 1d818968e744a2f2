"""Payments as the booking sees them: attempts started at a provider, and the
provider-neutral events that report how they ended."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import attrs

from domain.shared.money import Money


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@attrs.define
class PaymentAttempt:
    """One payment started at the provider for this booking (the customer may retry)."""

    provider: str
    payment_id: str
    amount: Money
    pay_url: str
    status: PaymentStatus
    created_at: datetime


@attrs.frozen
class Payment:
    """A payment the provider reports as succeeded."""

    provider: str
    payment_id: str
    amount: Money


class ReturnReason(enum.StrEnum):
    """Why a succeeded payment is refunded in full instead of paying for the booking."""

    AMOUNT_MISMATCH = "amount_mismatch"  # amount or currency differs from the total
    ALREADY_PAID = "already_paid"  # the booking was confirmed by another payment
    SOLD_OUT_AFTER_EXPIRY = "sold_out_after_expiry"  # paid after the hold lapsed; seats gone
    BOOKING_CANCELLED = "booking_cancelled"  # cancelled before the payment arrived


@attrs.frozen
class ReturnedPayment:
    """A payment sent back in full, with the reason; kept for operators to review."""

    payment: Payment
    reason: ReturnReason
    refund_id: str | None = None


class PaymentDecision(enum.StrEnum):
    CONFIRMED = "confirmed"  # the payment pays for the booking
    ALREADY_APPLIED = "already_applied"  # this payment was handled before
    RETURNED = "returned"  # refund it in full (see the ReturnedPayment's reason)
    NOT_OURS = "not_ours"  # the payment id belongs to a payment at another provider


class PaymentEventKind(enum.StrEnum):
    PAYMENT_SUCCEEDED = "payment.succeeded"
    PAYMENT_FAILED = "payment.failed"
    REFUND_SUCCEEDED = "refund.succeeded"


@attrs.frozen
class PaymentEvent:
    """What a provider told us, verified and translated by its adapter.

    `kind` is None for event types Portside does not act on.
    """

    provider: str
    event_id: str
    kind: PaymentEventKind | None
    payment_id: str
    amount: Money | None
    booking_id: UUID | None
    occurred_at: datetime
    refund_id: str | None = None
