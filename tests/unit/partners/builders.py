"""Plain builders for the partner tests: events, subscriptions and deliveries at a fixed time."""

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from application.partners.payloads import booking_data
from application.partners.ports import PartnerEvent
from domain.booking.booking import Booking, BookingLine, BookingStatus, Payment
from domain.booking.refunds import Refund
from domain.partners.delivery import Attempt, Delivery
from domain.partners.subscription import Subscription
from domain.shared.money import Money

NOW = datetime(2030, 6, 1, 9, 0, tzinfo=UTC)
# Secrets as `signing.new_secret()` makes them: "whsec_" and 24 random bytes in base64.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_c2Vjb25kLXNlY3JldC1yb3RhdGlvbiEh"
PUBLIC_IP = "93.184.215.14"
PUBLIC_IPV6 = "2606:2800:21f:cb07:6820:80ca:af6b:10c8"

FIRST_SLOT = UUID("5f0c6a52-8d1e-4b7a-9c3e-2a4b6c8d0e1f")
SECOND_SLOT = UUID("0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b")


def a_booking(*, cancelled: bool = False, reference: str = "PS-7K3F9Q") -> Booking:
    """Two lines worth 62.50 EUR; cancelled with half of it refunded, or still held."""
    lines = (
        BookingLine(FIRST_SLOT, 2, Money("25.00", "EUR")),
        BookingLine(SECOND_SLOT, 1, Money("12.50", "EUR")),
    )
    return Booking(
        id=UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d"),
        reference=reference,
        customer_id=1,
        lines=lines,
        status=BookingStatus.CANCELLED if cancelled else BookingStatus.HELD,
        created_at=NOW,
        expires_at=NOW + timedelta(minutes=15),
        payment=Payment("sandbox", "pay_1", Money("62.50", "EUR")) if cancelled else None,
        refund=Refund(Money("31.25", "EUR"), 50, "re_1") if cancelled else None,
    )


# The two fixed events of the golden files: one without a refund, one with.
EVENTS: dict[str, PartnerEvent] = {
    "held": PartnerEvent(
        webhook_id="msg_2b7f4c1e9d8a4f3b8e6d5c4b3a2f1e0d",
        type="booking.held",
        occurred_at=datetime(2030, 6, 1, 9, 0, 0, 250000, tzinfo=UTC),
        data=booking_data(a_booking()),
    ),
    "cancelled": PartnerEvent(
        webhook_id="msg_8c1d2e3f4a5b4c6d9e7f8a9b0c1d2e3f",
        type="booking.cancelled",
        occurred_at=datetime(2030, 6, 2, 17, 30, tzinfo=UTC),
        data=booking_data(a_booking(cancelled=True)),
    ),
}


def an_event(data: dict[str, Any], *, type: str = "booking.held") -> PartnerEvent:
    return PartnerEvent("msg_0123456789abcdef0123456789abcdef", type, NOW, data)


def a_subscription(
    *,
    partner_id: int = 1,
    url: str = "https://hooks.example.com/portside",
    event_types: frozenset[str] = frozenset(),
    format: str = "standard-webhooks",
    secret: str = SECRET,
    is_active: bool = True,
) -> Subscription:
    return Subscription(
        id=uuid4(),
        partner_id=partner_id,
        url=url,
        event_types=event_types,
        format=format,
        secret=secret,
        is_active=is_active,
    )


def a_delivery(
    subscription_id: UUID | None = None,
    *,
    created_at: datetime = NOW,
    next_attempt_at: datetime | None = NOW,
    event_type: str = "booking.held",
) -> Delivery:
    return Delivery(
        id=uuid4(),
        webhook_id=f"msg_{uuid4().hex}",
        subscription_id=subscription_id or uuid4(),
        event_type=event_type,
        content_type="application/json",
        body='{"type":"booking.held"}',
        created_at=created_at,
        next_attempt_at=next_attempt_at,
    )


def failed(number: int, at: datetime, status_code: int | None = 500) -> Attempt:
    return Attempt(number, at, status_code, 12, "" if status_code else "ConnectionError")


def succeeded(number: int, at: datetime, status_code: int = 200) -> Attempt:
    return Attempt(number, at, status_code, 12, "", "ok")
